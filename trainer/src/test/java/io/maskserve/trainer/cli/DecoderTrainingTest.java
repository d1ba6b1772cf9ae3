package io.maskserve.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.autodiff.GradientTap;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train --decoder-taps} on the real ResNet-20: the generator decodes two of the
 * classifier's block outputs, is exported with inputs named like them, registered (the zoo
 * records the tensors it reads), and exported again identically from its checkpoint.
 */
class DecoderTrainingTest {

  static final String LAYER3 = "/layer3/layer3.2/Relu_1_output_0"; // [64,8,8]
  static final String LAYER2 = "/layer2/layer2.2/Relu_1_output_0"; // [32,16,16]

  @Test
  void trainsExportsAndRegistersAFeatureDecoder(@TempDir Path tmp) throws Exception {
    Path zoo = tmp.resolve("zoo");
    FileSystemZooStore store = zooWithResnet(zoo);
    writeTrainingList(tmp.resolve("train.txt"), List.of("cat", "ship", "truck", "dog"), 10);

    Path run = tmp.resolve("run");
    // Taps given finest first: the trainer orders them coarsest first.
    String out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "resnet20", "--data",
        tmp.resolve("train.txt").toString(), "--out", run.toString(), "--steps", "3", "--batch-size", "4",
        "--samples", "2", "--estimator", "REINFORCE", "--decoder-taps", LAYER2 + "," + LAYER3, "--decoder-width",
        "8", "--register");
    assertTrue(out.contains("registered the generator of resnet20:1"), out);
    GeneratorSpec g = store.get(new ModelKey("resnet20", "1")).orElseThrow().generator().orElseThrow();
    assertEquals(List.of(LAYER3, LAYER2), g.features());
    assertFalse(g.readsImage());
    assertEquals(16, g.outputHeight());
    assertTrue(Files.readString(run.resolve("run.properties")).contains("decoder"));

    // The checkpoint holds the decoder: export reproduces generator.onnx exactly.
    Path onnx = tmp.resolve("exported.onnx");
    run(new ExportCommand(), "--checkpoint", run.toString(), "--out", onnx.toString());
    assertArrayEquals(Files.readAllBytes(run.resolve("generator.onnx")), Files.readAllBytes(onnx));

    // A tensor the classifier does not compute is a clear error.
    StringWriter err = new StringWriter();
    int code = new CommandLine(new TrainCommand()).setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
        .execute("--zoo", zoo.toString(), "--model", "resnet20", "--data", tmp.resolve("train.txt").toString(),
            "--out", tmp.resolve("bad").toString(), "--steps", "1", "--decoder-taps", "/no/such_tensor");
    assertEquals(1, code);
    assertTrue(err.toString().contains("/no/such_tensor"), err.toString());
  }

  @Test
  void aDecoderCanReadTheGradientTimesInput(@TempDir Path tmp) throws Exception {
    Path zoo = tmp.resolve("zoo");
    FileSystemZooStore store = zooWithResnet(zoo);
    writeTrainingList(tmp.resolve("train.txt"), List.of("cat", "ship"), 20);
    String tap = GradientTap.GRAD_X_INPUT;
    String out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "resnet20", "--data",
        tmp.resolve("train.txt").toString(), "--out", tmp.resolve("run").toString(), "--steps", "2", "--batch-size",
        "4", "--objective", "rise", "--samples", "2", "--decoder-taps", tap + "," + LAYER3, "--decoder-width", "8",
        "--register");
    assertTrue(out.contains("registered the generator of resnet20:1"), out);
    GeneratorSpec g = store.get(new ModelKey("resnet20", "1")).orElseThrow().generator().orElseThrow();
    // Sorted coarsest first: the 32x32 tap is the finest, so the map is 32x32.
    assertEquals(List.of(LAYER3, tap), g.features());
    assertEquals(32, g.outputHeight());
  }

  private static Path shared() {
    return Path.of(System.getProperty("maskserve.shared", "../shared"));
  }

  /** A zoo with the real ResNet-20 registered as resnet20:1. */
  private static FileSystemZooStore zooWithResnet(Path zoo) throws Exception {
    Path model = shared().resolve("models/resnet20-cifar10");
    List<String> labels = Files.readAllLines(model.resolve("labels.txt")).stream().filter(l -> !l.isBlank()).toList();
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    try (var in = Files.newInputStream(model.resolve("model.onnx"))) {
      store.registerClassifier(new ClassifierRegistration("resnet20", "1", labels,
          new InputSpec(32, 32, ResizeMode.RESIZE, new float[] {0.485f, 0.456f, 0.406f},
              new float[] {0.229f, 0.224f, 0.225f}), "", ""), in);
    }
    return store;
  }

  /** Two images per class of the training split (files 0000-0799), from file {@code first}. */
  private static void writeTrainingList(Path file, List<String> classes, int first) throws Exception {
    StringBuilder list = new StringBuilder();
    for (String c : classes) {
      for (int i = first; i < first + 2; i++) {
        list.append(shared().resolve("datasets/cifar10-test").resolve(c).resolve(String.format("%04d.jpg", i))
            .toAbsolutePath()).append(' ').append(c).append('\n');
      }
    }
    Files.writeString(file, list.toString());
  }

  private static String run(Object command, String... args) {
    return CommandsTest.run(command, args);
  }
}
