package io.maskserve.zoo.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorShape;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.testing.SharedData;
import io.maskserve.zoo.testing.TestOnnxModels;
import io.maskserve.zoo.testing.TestOnnxModels.TargetInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelValidatorTest {

  private final OnnxModelValidator validator = new OnnxModelValidator(OrtEnvironment.getEnvironment());

  @TempDir Path tmp;

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  private static ClassifierRegistration registration(List<String> labels, InputSpec input) {
    return new ClassifierRegistration("m", "1", labels, input, "", "");
  }

  private static List<String> labels(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> "c" + i).toList();
  }

  private static ModelManifest resnetManifest() {
    return new ModelManifest("resnet20", "1", SharedData.cifar10Labels(), SharedData.cifar10Input(),
        new Artifact("classifier.onnx", SharedData.RESNET20_SHA256, 1), Optional.empty(), Instant.now(), "");
  }

  private static String invalid(Executable e) {
    ZooException ex = assertThrows(ZooException.class, e);
    assertEquals(ZooException.Reason.INVALID_ARGUMENT, ex.reason(), ex.getMessage());
    return ex.getMessage();
  }

  /** Lines of /proc/self/maps naming {@code file}: mappings this process holds on it. */
  private static List<String> mappingsOf(Path file) throws IOException {
    String name = file.toAbsolutePath().toString();
    return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(name)).toList();
  }

  @Test
  void validationLeavesNoMappingOfTheFileSoDeletingItFreesItsSpace() throws Exception {
    // The structure check maps the file; the mapping used to live until the next GC, so a deleted
    // model's disk space stayed in use (found by the full-disk fault test, RELIABILITY.md "Faults").
    Path copy = Files.copy(SharedData.resnet20Onnx(), tmp.resolve("resnet.onnx"));
    validator.validateClassifier(copy, registration(SharedData.cifar10Labels(), SharedData.cifar10Input()));
    assertEquals(List.of(), mappingsOf(copy), "classifier still mapped after validation");
    Path broken = write("broken.onnx", java.util.Arrays.copyOf(Files.readAllBytes(copy), 5000));
    invalid(() -> validator.validateClassifier(broken, registration(labels(10), SharedData.cifar10Input())));
    assertEquals(List.of(), mappingsOf(broken), "a rejected file is not mapped either");
  }

  @Test
  void acceptsRealResnet20() {
    validator.validateClassifier(SharedData.resnet20Onnx(),
        registration(SharedData.cifar10Labels(), SharedData.cifar10Input()));
  }

  @Test
  void rejectsLabelCountDifferentFromOutputWidth() throws IOException {
    String msg = invalid(() -> validator.validateClassifier(SharedData.resnet20Onnx(),
        registration(labels(9), SharedData.cifar10Input())));
    assertTrue(msg.contains("10") && msg.contains("9 labels"), msg);
    Path tiny = write("tiny.onnx", TestOnnxModels.classifier(32, 32, 3, "N"));
    msg = invalid(() -> validator.validateClassifier(tiny, registration(labels(10), SharedData.cifar10Input())));
    assertTrue(msg.contains("3 classes"), msg);
    validator.validateClassifier(tiny, registration(labels(3), SharedData.cifar10Input()));
  }

  @Test
  void rejectsWrongInputSize() {
    InputSpec big = new InputSpec(64, 64, ResizeMode.RESIZE, SharedData.CIFAR_MEAN, SharedData.CIFAR_STD);
    String msg = invalid(() -> validator.validateClassifier(SharedData.resnet20Onnx(),
        registration(SharedData.cifar10Labels(), big)));
    assertTrue(msg.contains("[N,3,64,64]"), msg);
  }

  @Test
  void rejectsClassifierWithoutGradientRuleNamingOpAndNode() throws IOException {
    // Cos on the input's path has no vector-Jacobian rule: registration (not a request) says so.
    OnnxMl.ModelProto tiny = OnnxMl.ModelProto.parseFrom(TestOnnxModels.classifier(32, 32, 3, "N"));
    OnnxMl.GraphProto.Builder g = tiny.getGraph().toBuilder();
    OnnxMl.NodeProto mean = g.getNode(0);
    String input = mean.getInput(0);
    g.setNode(0, mean.toBuilder().setInput(0, "x_cos"));
    g.addNode(0, OnnxMl.NodeProto.newBuilder().setOpType("Cos").setName("the_cos").addInput(input).addOutput("x_cos"));
    Path cos = write("cos.onnx", tiny.toBuilder().setGraph(g).build().toByteArray());
    String msg = invalid(() -> validator.validateClassifier(cos, registration(labels(3), SharedData.cifar10Input())));
    assertTrue(msg.contains("differentiate") && msg.contains("Cos") && msg.contains("the_cos"), msg);
  }

  @Test
  void rejectsFixedBatch() throws IOException {
    Path fixed = write("fixed.onnx", TestOnnxModels.classifier(32, 32, 10, 1));
    String msg = invalid(() -> validator.validateClassifier(fixed, registration(labels(10), SharedData.cifar10Input())));
    assertTrue(msg.contains("dynamic batch axis"), msg);
  }

  @Test
  void rejectsNonOnnxAndEmptyAndGraphless() throws IOException {
    ClassifierRegistration reg = registration(labels(10), SharedData.cifar10Input());
    Path text = write("text.onnx", TestOnnxModels.notOnnx());
    assertTrue(invalid(() -> validator.validateClassifier(text, reg)).contains("not"));
    Path empty = write("empty.onnx", new byte[0]);
    assertTrue(invalid(() -> validator.validateClassifier(empty, reg)).contains("empty"));
    Path noGraph = write("nograph.onnx", OnnxMl.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17)).build().toByteArray());
    assertTrue(invalid(() -> validator.validateClassifier(noGraph, reg)).contains("without a graph"));
  }

  @Test
  void rejectsCustomDomain() throws IOException {
    OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(TestOnnxModels.classifier(32, 32, 10, "N")).toBuilder()
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.example.custom").setVersion(1))
        .build();
    Path p = write("custom.onnx", model.toByteArray());
    String msg = invalid(() -> validator.validateClassifier(p, registration(labels(10), SharedData.cifar10Input())));
    assertTrue(msg.contains("com.example.custom"), msg);
  }

  @Test
  void rejectsExternalData() throws IOException {
    OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(TestOnnxModels.classifier(32, 32, 10, "N"));
    OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
    OnnxMl.TensorProto w = g.getInitializer(0).toBuilder().clearFloatData()
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("/etc/passwd"))
        .build();
    g.setInitializer(0, w);
    Path p = write("external.onnx", model.toBuilder().setGraph(g).build().toByteArray());
    String msg = invalid(() -> validator.validateClassifier(p, registration(labels(10), SharedData.cifar10Input())));
    assertTrue(msg.contains("external") && msg.contains("/etc/passwd"), msg);
  }

  @Test
  void ortErrorsBecomeInvalidArgument() throws IOException {
    // Parses and has a graph, but references an undefined value: ONNX Runtime refuses it.
    OnnxGraphBuilder b = new OnnxGraphBuilder("broken");
    b.floatInput("x", "N", 3, 32, 32);
    b.nodeTo("Relu", List.of("missing"), "y");
    b.floatOutput("y", "N", 3, 32, 32);
    Path p = write("broken.onnx", b.toBytes(8, 17));
    String msg = invalid(() -> validator.validateClassifier(p, registration(labels(10), SharedData.cifar10Input())));
    assertTrue(msg.startsWith("ONNX Runtime rejected the classifier"), msg);
  }

  @Test
  void acceptsReferenceGeneratorAtFullAndCoarseResolution() throws IOException {
    ModelManifest m = resnetManifest();
    Path full = write("g32.onnx", ReferenceGenerators.contrastGenerator(m.input(), 32, 32));
    assertEquals(new GeneratorShape(32, 32, false), validator.validateGenerator(full, m));
    Path coarse = write("g8.onnx", ReferenceGenerators.contrastGenerator(m.input(), 8, 8));
    assertEquals(new GeneratorShape(8, 8, false), validator.validateGenerator(coarse, m));
  }

  @Test
  void rejectsBadGenerators() throws IOException {
    ModelManifest m = resnetManifest();
    Path rank3 = write("rank3.onnx", TestOnnxModels.generatorRank3(32, 32));
    assertTrue(invalid(() -> validator.validateGenerator(rank3, m)).contains("rank 4"));
    Path outOfRange = write("range.onnx", TestOnnxModels.generator(32, 32, 4, 3f));
    assertTrue(invalid(() -> validator.validateGenerator(outOfRange, m)).contains("outside [0,1]"));
    Path nonDividing = write("div.onnx", TestOnnxModels.generator(32, 32, 5, 1f));
    String msg = invalid(() -> validator.validateGenerator(nonDividing, m));
    assertTrue(msg.contains("6x6") && msg.contains("divide"), msg);
    Path wrongInput = write("in.onnx", TestOnnxModels.generator(16, 16, 4, 1f));
    assertTrue(invalid(() -> validator.validateGenerator(wrongInput, m)).contains("[N,3,32,32]"));
    // A generator with the expected shape but classifier-like output.
    Path classifierAsGenerator = SharedData.resnet20Onnx();
    assertTrue(invalid(() -> validator.validateGenerator(classifierAsGenerator, m)).contains("rank 4"));
    validator.validateGenerator(write("ok.onnx", TestOnnxModels.generator(32, 32, 4, 1f)), m);
  }

  @Test
  void acceptsClassConditionalGenerator() throws IOException {
    ModelManifest m = resnetManifest();
    Path conditional = write("cond.onnx", TestOnnxModels.conditionalGenerator(32, 32, 4, 10));
    assertEquals(new GeneratorShape(8, 8, true), validator.validateGenerator(conditional, m));
    // A table with more rows than the classifier has classes is fine: every class is accepted.
    Path wider = write("wide.onnx", TestOnnxModels.conditionalGenerator(32, 32, 2, 12));
    assertEquals(new GeneratorShape(16, 16, true), validator.validateGenerator(wider, m));
  }

  @Test
  void rejectsBadClassConditionalGeneratorsNamingTheProblem() throws IOException {
    ModelManifest m = resnetManifest();
    String msg = invalid(() -> validator.validateGenerator(
        write("float.onnx", TestOnnxModels.conditionalGenerator(32, 32, 4, 10, TargetInput.FLOAT)), m));
    assertTrue(msg.contains("'target'") && msg.contains("int64"), msg);
    msg = invalid(() -> validator.validateGenerator(
        write("rank2.onnx", TestOnnxModels.conditionalGenerator(32, 32, 4, 10, TargetInput.RANK_2)), m));
    assertTrue(msg.contains("'target'") && msg.contains("rank 1") && msg.contains("[?,1]"), msg);
    msg = invalid(() -> validator.validateGenerator(
        write("label.onnx", TestOnnxModels.conditionalGenerator(32, 32, 4, 10, TargetInput.MISNAMED)), m));
    assertTrue(msg.contains("label") && msg.contains("none is named 'target'"), msg);
    msg = invalid(() -> validator.validateGenerator(
        write("extra.onnx", TestOnnxModels.conditionalGenerator(32, 32, 4, 10, TargetInput.EXTRA_INPUT)), m));
    assertTrue(msg.contains("3 inputs") && msg.contains("extra"), msg);
  }

  @Test
  void conditionalGeneratorThatCannotTakeEveryClassIsInvalidNotACrash() throws IOException {
    // Gather on a 5-row table with target 9 (the validation run's last class) fails in ONNX Runtime.
    ModelManifest m = resnetManifest();
    Path tooFew = write("few.onnx", TestOnnxModels.conditionalGenerator(32, 32, 4, 5));
    String msg = invalid(() -> validator.validateGenerator(tooFew, m));
    assertTrue(msg.contains("class-conditional") && msg.contains("[0, 9]") && msg.contains("0..9"), msg);
  }
}
