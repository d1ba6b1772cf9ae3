package io.maskserve.deploy.spark;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.TestData;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The zoo the Spark tests explain with: the real ResNet-20 from the shared data and the generator
 * shipped in {@code models/resnet20-cifar10/} at its documented threshold, registered through the
 * zoo API (the files are read in place, never copied into the repository).
 */
final class SparkJobZoo {

  static final String MODEL = TestData.MODEL;
  static final String VERSION = "1";
  /** The shipped generator's test-time threshold (models/README.md). */
  static final float THRESHOLD = 0.35f;

  private SparkJobZoo() {}

  /** Registers ResNet-20 version 1 and the shipped generator in {@code zoo}. */
  static void populate(Path zoo) throws IOException {
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    try (InputStream in = Files.newInputStream(TestData.resnetOnnx())) {
      store.registerClassifier(
          new ClassifierRegistration(MODEL, VERSION, TestData.labels(), TestData.CIFAR_INPUT, "", "ResNet-20"), in);
    }
    try (InputStream in = Files.newInputStream(shippedGenerator())) {
      store.registerGenerator(
          new GeneratorRegistration(new ModelKey(MODEL, VERSION), THRESHOLD, "", "shipped generator"), in);
    }
  }

  /** {@code models/resnet20-cifar10/generator.onnx} of this repository, found above the module directory. */
  static Path shippedGenerator() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("models/resnet20-cifar10/generator.onnx");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalStateException("models/resnet20-cifar10/generator.onnx not found above " + Path.of("").toAbsolutePath());
  }
}
