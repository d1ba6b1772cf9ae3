package io.maskserve.zoo;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A generator attached to a classifier version: maps the classifier's (normalised) input
 * {@code [N,3,H,W]} to keep probabilities {@code [N,1,outputHeight,outputWidth]} in [0,1].
 *
 * <p>A class-conditional generator also takes the int64 input {@value #TARGET_INPUT} {@code [N]},
 * the class to explain per row, so its map depends on the target class; an unconditional one
 * produces the same map whatever class is explained (only the scoring of the masks depends on it).
 *
 * <p>A <em>feature-reading</em> generator decodes the classifier's own intermediate tensors: each
 * of its inputs named like a tensor of the classifier's graph ({@link #features}) is fed that
 * tensor, computed by the classifier's forward pass on the same image (the server exposes them as
 * extra outputs of the one classification call, so the generator costs only its decoder). Such a
 * generator may also read the image ({@link #readsImage}) or not.
 *
 * @param artifact the ONNX file
 * @param threshold default keep threshold of the deterministic mask, in (0,1)
 * @param outputHeight height of the generator's output map (upsampled to the input when smaller)
 * @param outputWidth width of the generator's output map
 * @param classConditional whether the generator takes the {@value #TARGET_INPUT} input
 * @param created registration time
 * @param description free text, may be empty
 * @param features names of the classifier tensors the generator reads, in its input order (empty
 *     for a generator that reads only the image)
 * @param readsImage whether the generator reads the normalised image {@code [N,3,H,W]}
 */
public record GeneratorSpec(
    Artifact artifact,
    float threshold,
    int outputHeight,
    int outputWidth,
    boolean classConditional,
    Instant created,
    String description,
    List<String> features,
    boolean readsImage) {

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
    features = List.copyOf(Objects.requireNonNull(features, "features"));
    if (features.isEmpty() && !readsImage) {
      throw new IllegalArgumentException("a generator must read the image, classifier tensors, or both");
    }
    if (features.contains(TARGET_INPUT)) {
      throw new IllegalArgumentException("'" + TARGET_INPUT + "' is the class input, not a classifier tensor");
    }
  }

  /** A generator that reads only the image (and the target when class-conditional). */
  public GeneratorSpec(Artifact artifact, float threshold, int outputHeight, int outputWidth,
      boolean classConditional, Instant created, String description) {
    this(artifact, threshold, outputHeight, outputWidth, classConditional, created, description, List.of(), true);
  }

  /** Whether the generator reads intermediate tensors of the classifier. */
  public boolean readsFeatures() {
    return !features.isEmpty();
  }
}
