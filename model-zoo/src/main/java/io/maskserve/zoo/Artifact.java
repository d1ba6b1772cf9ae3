package io.maskserve.zoo;

import java.util.Objects;

/**
 * One ONNX file of a model version.
 *
 * @param file file name inside the version directory (e.g. {@code classifier.onnx})
 * @param sha256 lowercase hex sha256 of the file
 * @param sizeBytes file size
 */
public record Artifact(String file, String sha256, long sizeBytes) {
  public Artifact {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(sha256, "sha256");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 must be 64 lowercase hex characters");
    }
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes must be >= 0");
    }
  }
}
