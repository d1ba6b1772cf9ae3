package io.maskserve.zoo;

/**
 * Metadata of a generator being attached to an existing classifier version. Creating one throws
 * {@link ZooException} INVALID_ARGUMENT if the description is longer than {@link
 * MetadataLimits#MAX_DESCRIPTION_CHARS}.
 *
 * @param classifier the classifier version it explains
 * @param threshold default keep threshold in (0,1); {@link GeneratorSpec#DEFAULT_THRESHOLD} when null
 * @param expectedSha256 lowercase hex sha256 the uploaded bytes must have, or empty to skip the check
 * @param description free text
 */
public record GeneratorRegistration(ModelKey classifier, Float threshold, String expectedSha256, String description) {
  public GeneratorRegistration {
    java.util.Objects.requireNonNull(classifier, "classifier");
    expectedSha256 = expectedSha256 == null ? "" : expectedSha256.toLowerCase(java.util.Locale.ROOT);
    description = description == null ? "" : description;
    MetadataLimits.checkDescription("generator", description);
  }
}
