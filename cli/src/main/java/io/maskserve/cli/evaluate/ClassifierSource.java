package io.maskserve.cli.evaluate;

import io.maskserve.client.MaskserveClient;
import io.maskserve.v1.ModelInfo;
import io.maskserve.zoo.fs.FileSystemZooStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The classifier ONNX file the metrics run locally: the zoo's own file when the server runs in
 * this process ({@code ZOO/<name>/<version>/classifier.onnx}, read only), or the file given with
 * {@code --classifier}. Either way its sha256 must equal the served classifier's, so the metrics
 * judge the very classifier that was explained.
 */
final class ClassifierSource {

  private ClassifierSource() {}

  /**
   * The classifier's bytes.
   *
   * @param zoo the zoo directory of an in-process server, or null
   * @param file the {@code --classifier} file, or null
   * @throws EvaluateException when neither is given or the checksum differs
   */
  static byte[] load(ModelInfo model, Path zoo, Path file) {
    Path source = file != null
        ? file
        : zoo != null ? zoo.resolve(model.getName()).resolve(model.getVersion()).resolve(FileSystemZooStore.CLASSIFIER_FILE)
            : null;
    if (source == null) {
      throw new EvaluateException("--classifier FILE is required with --server (the metrics run the classifier locally)");
    }
    if (!Files.isRegularFile(source)) {
      throw new EvaluateException("classifier file " + source + " does not exist");
    }
    String actual = MaskserveClient.sha256(source);
    String expected = model.getClassifier().getSha256();
    if (!expected.isEmpty() && !expected.equalsIgnoreCase(actual)) {
      throw new EvaluateException(source + " is not the classifier of " + model.getName() + ":" + model.getVersion()
          + " (sha256 " + actual + ", served " + expected + ")");
    }
    try {
      return Files.readAllBytes(source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
  }
}
