package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.ZooException.Reason;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.testing.SharedData;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generators that read the classifier's intermediate tensors: registration finds which inputs are
 * classifier tensors by name, runs the classifier to feed them, records them in the manifest, and
 * refuses what cannot work (a tensor the classifier does not compute, shapes that do not fit).
 */
class FeatureGeneratorRegistrationTest {

  /** ResNet-20's last block output, {@code [N,64,8,8]}. */
  static final String LAST_BLOCK = "/layer3/layer3.2/Relu_1_output_0";
  /** A block of the middle stage, {@code [N,32,16,16]}. */
  static final String MIDDLE_BLOCK = "/layer2/layer2.2/Relu_1_output_0";

  @TempDir Path root;
  private FileSystemZooStore store;
  private ModelManifest resnet;

  @BeforeEach
  void open() {
    store = FileSystemZooStore.open(root, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    resnet = store.registerClassifier(SharedData.resnet20Registration("resnet20", "1"),
        new ByteArrayInputStream(SharedData.bytes(SharedData.resnet20Onnx())));
  }

  private ModelManifest register(byte[] generator) {
    return store.registerGenerator(new GeneratorRegistration(resnet.key(), null, "", ""),
        new ByteArrayInputStream(generator));
  }

  private static ZooException fails(Executable e) {
    ZooException ex = assertThrows(ZooException.class, e);
    assertEquals(Reason.INVALID_ARGUMENT, ex.reason(), ex.getMessage());
    return ex;
  }

  @Test
  void aGeneratorReadingAClassifierTensorIsRecordedWithItsFeatures() {
    ModelManifest m = register(ReferenceGenerators.featureActivationGenerator(LAST_BLOCK, 64, 8, 8));
    GeneratorSpec g = m.generator().orElseThrow();
    assertEquals(List.of(LAST_BLOCK), g.features());
    assertFalse(g.readsImage());
    assertTrue(g.readsFeatures());
    assertEquals(8, g.outputHeight());
    assertEquals(8, g.outputWidth());
    // The manifest round-trips through the codec and a reopened store.
    assertEquals(m, FileSystemZooStore.open(root, new OnnxModelValidator(OrtEnvironment.getEnvironment()))
        .get(resnet.key()).orElseThrow());
  }

  @Test
  void aGeneratorReadingTheImageAndTwoTensorsIsAccepted() {
    OnnxGraphBuilder b = new OnnxGraphBuilder("image_and_features");
    String image = b.floatInput("image", "N", 3, 32, 32);
    String deep = b.floatInput(LAST_BLOCK, "N", 64, 8, 8);
    String mid = b.floatInput(MIDDLE_BLOCK, "N", 32, 16, 16);
    // keep = sigmoid(mean|deep| pooled to 8x8 + mean|mid| pooled to 8x8 + mean|image| pooled to 8x8)
    String a = mean(b, deep, 1);
    String c = b.node("AveragePool", List.of(mean(b, mid, 1)), OnnxGraphBuilder.ints("kernel_shape", 2, 2),
        OnnxGraphBuilder.ints("strides", 2, 2));
    String d = b.node("AveragePool", List.of(mean(b, image, 1)), OnnxGraphBuilder.ints("kernel_shape", 4, 4),
        OnnxGraphBuilder.ints("strides", 4, 4));
    b.nodeTo("Sigmoid", List.of(b.node("Add", List.of(b.node("Add", List.of(a, c)), d))), "keep_prob");
    b.floatOutput("keep_prob", "N", 1, 8, 8);
    GeneratorSpec g = register(b.toBytes(8, 17)).generator().orElseThrow();
    assertEquals(List.of(LAST_BLOCK, MIDDLE_BLOCK), g.features());
    assertTrue(g.readsImage());
  }

  private static String mean(OnnxGraphBuilder b, String x, int axis) {
    return b.node("ReduceMean", List.of(b.node("Abs", List.of(x))), OnnxGraphBuilder.ints("axes", axis),
        OnnxGraphBuilder.intAttr("keepdims", 1));
  }

  @Test
  void aGeneratorReadingTheGradientTimesInputIsRecordedAndItsShapeChecked() {
    String tap = io.maskserve.zoo.autodiff.GradientTap.GRAD_X_INPUT;
    GeneratorSpec g = register(ReferenceGenerators.featureActivationGenerator(tap, 1, 32, 32)).generator()
        .orElseThrow();
    assertEquals(List.of(tap), g.features());
    assertFalse(g.readsImage());
    assertEquals(32, g.outputHeight());
    // The tap has one channel: a generator expecting three fails the validation run, naming it.
    assertTrue(store.delete(resnet.key(), true));
    String msg = fails(() -> register(ReferenceGenerators.featureActivationGenerator(tap, 3, 32, 32))).getMessage();
    assertTrue(msg.contains(tap), msg);
  }

  @Test
  void unknownTensorsAndMismatchedShapesAreRefusedWithAClearMessage() {
    // An input that is neither the image nor a classifier tensor, beside the image: refused by name.
    OnnxGraphBuilder b = new OnnxGraphBuilder("two_images");
    String image = b.floatInput("image", "N", 3, 32, 32);
    String other = b.floatInput("/layer9/Relu_output_0", "N", 3, 32, 32);
    b.nodeTo("Sigmoid", List.of(b.node("Add", List.of(mean(b, image, 1), mean(b, other, 1)))), "keep_prob");
    b.floatOutput("keep_prob", "N", 1, 32, 32);
    String msg = fails(() -> register(b.toBytes(8, 17))).getMessage();
    assertTrue(msg.contains("/layer9/Relu_output_0") && msg.contains("neither"), msg);
    // A classifier tensor read with the wrong channel count: the validation run fails, naming it.
    msg = fails(() -> register(ReferenceGenerators.featureActivationGenerator(LAST_BLOCK, 32, 8, 8))).getMessage();
    assertTrue(msg.contains(LAST_BLOCK), msg);
    // Nothing was published.
    assertTrue(store.get(resnet.key()).orElseThrow().generator().isEmpty());
  }

  @Test
  void aValidatorWithoutTheClassifierFileKeepsTheImageOnlyContract() {
    OnnxModelValidator v = new OnnxModelValidator(OrtEnvironment.getEnvironment());
    Path file = root.resolve("g.onnx");
    try {
      java.nio.file.Files.write(file, ReferenceGenerators.featureActivationGenerator(LAST_BLOCK, 64, 8, 8));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    // Its single input is taken as the image, which it is not: [N,64,8,8] is refused.
    fails(() -> v.validateGenerator(file, resnet));
  }
}
