package io.maskserve.zoo;

import java.util.List;

/**
 * Metadata of a classifier being registered; the ONNX bytes come separately as a stream.
 *
 * @param name model name
 * @param version version
 * @param labels class names in logit order
 * @param input preprocessing and input shape
 * @param expectedSha256 lowercase hex sha256 the uploaded bytes must have, or empty to skip the check
 * @param description free text
 */
public record ClassifierRegistration(
    String name, String version, List<String> labels, InputSpec input, String expectedSha256, String description) {
  public ClassifierRegistration {
    ModelNames.requireValidName(name);
    ModelNames.requireValidVersion(version);
    labels = List.copyOf(labels);
    expectedSha256 = expectedSha256 == null ? "" : expectedSha256.toLowerCase(java.util.Locale.ROOT);
    description = description == null ? "" : description;
  }
}
