package io.maskserve.zoo;

import java.util.List;

/**
 * Metadata of a classifier being registered; the ONNX bytes come separately as a stream. Creating
 * one throws {@link ZooException} INVALID_ARGUMENT on an invalid name or version, or on labels or
 * a description beyond the {@link MetadataLimits}.
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
    MetadataLimits.checkLabels(labels);
    labels = List.copyOf(labels);
    expectedSha256 = expectedSha256 == null ? "" : expectedSha256.toLowerCase(java.util.Locale.ROOT);
    description = description == null ? "" : description;
    MetadataLimits.checkDescription("classifier", description);
  }
}
