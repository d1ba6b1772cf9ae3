package io.maskserve.zoo;

import java.time.Instant;
import java.util.Objects;

/**
 * A generator attached to a classifier version: maps the classifier's (normalised) input
 * {@code [N,3,H,W]} to keep probabilities {@code [N,1,outputHeight,outputWidth]} in [0,1].
 *
 * <p>A class-conditional generator also takes the int64 input {@value #TARGET_INPUT} {@code [N]},
 * the class to explain per row, so its map depends on the target class; an unconditional one
 * produces the same map whatever class is explained (only the scoring of the masks depends on it).
 *
 * @param artifact the ONNX file
 * @param threshold default keep threshold of the deterministic mask, in (0,1)
 * @param outputHeight height of the generator's output map (upsampled to the input when smaller)
 * @param outputWidth width of the generator's output map
 * @param classConditional whether the generator takes the {@value #TARGET_INPUT} input
 * @param created registration time
 * @param description free text, may be empty
 */
public record GeneratorSpec(
    Artifact artifact,
    float threshold,
    int outputHeight,
    int outputWidth,
    boolean classConditional,
    Instant created,
    String description) {

  /** Threshold used when a registration gives none (the reference code's test-time value). */
  public static final float DEFAULT_THRESHOLD = 0.35f;

  /** Name of a class-conditional generator's int64 {@code [N]} input: the class to explain per row. */
  public static final String TARGET_INPUT = "target";

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
