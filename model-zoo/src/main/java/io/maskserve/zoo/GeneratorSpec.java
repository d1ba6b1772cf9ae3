package io.maskserve.zoo;

import java.time.Instant;
import java.util.Objects;

/**
 * A generator attached to a classifier version: maps the classifier's (normalised) input
 * {@code [N,3,H,W]} to keep probabilities {@code [N,1,outputHeight,outputWidth]} in [0,1].
 *
 * @param artifact the ONNX file
 * @param threshold default keep threshold of the deterministic mask, in (0,1)
 * @param outputHeight height of the generator's output map (upsampled to the input when smaller)
 * @param outputWidth width of the generator's output map
 * @param created registration time
 * @param description free text, may be empty
 */
public record GeneratorSpec(
    Artifact artifact, float threshold, int outputHeight, int outputWidth, Instant created, String description) {

  /** Threshold used when a registration gives none (the reference code's test-time value). */
  public static final float DEFAULT_THRESHOLD = 0.35f;

  public GeneratorSpec {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(created, "created");
    if (!(threshold > 0f && threshold < 1f)) {
      throw new IllegalArgumentException("threshold must be in (0,1), got " + threshold);
    }
    if (outputHeight < 1 || outputWidth < 1) {
      throw new IllegalArgumentException("generator output size must be positive");
    }
    description = description == null ? "" : description;
  }
}
