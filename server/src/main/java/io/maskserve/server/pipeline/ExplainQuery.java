package io.maskserve.server.pipeline;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One explanation request, free of any protocol type.
 *
 * @param model zoo model name
 * @param version zoo version, empty for the newest version with a generator
 * @param image the image
 * @param targetClass class to explain; empty for the classifier's top-1
 * @param numSamples Bernoulli masks to sample and score (0..the server's max)
 * @param seed sampler seed; empty to let the pipeline pick one (returned in the result)
 * @param threshold keep threshold of the deterministic mask; empty for the manifest's
 * @param includeOverlay whether to render the overlay PNG
 * @param deadline when to give up; empty for none
 */
public record ExplainQuery(
    String model,
    String version,
    ImageInput image,
    OptionalInt targetClass,
    int numSamples,
    OptionalLong seed,
    Optional<Float> threshold,
    boolean includeOverlay,
    Optional<Deadline> deadline) {

  public ExplainQuery {
    Objects.requireNonNull(model, "model");
    version = version == null ? "" : version;
    Objects.requireNonNull(image, "image");
    targetClass = targetClass == null ? OptionalInt.empty() : targetClass;
    seed = seed == null ? OptionalLong.empty() : seed;
    threshold = threshold == null ? Optional.empty() : threshold;
    deadline = deadline == null ? Optional.empty() : deadline;
  }

  /** A query for the top-1 class of {@code model}'s latest version, no samples, no overlay. */
  public static ExplainQuery of(String model, ImageInput image) {
    return new ExplainQuery(
        model, "", image, OptionalInt.empty(), 0, OptionalLong.empty(), Optional.empty(), false, Optional.empty());
  }

  /** A copy with {@code numSamples} samples drawn with {@code seed}. */
  public ExplainQuery withSamples(int numSamples, long seed) {
    return new ExplainQuery(
        model, version, image, targetClass, numSamples, OptionalLong.of(seed), threshold, includeOverlay, deadline);
  }

  /** A copy explaining {@code targetClass}. */
  public ExplainQuery withTarget(int targetClass) {
    return new ExplainQuery(
        model, version, image, OptionalInt.of(targetClass), numSamples, seed, threshold, includeOverlay, deadline);
  }

  /** A copy with the given deadline. */
  public ExplainQuery withDeadline(Deadline d) {
    return new ExplainQuery(
        model, version, image, targetClass, numSamples, seed, threshold, includeOverlay, Optional.ofNullable(d));
  }

  /** A copy with the given overlay flag. */
  public ExplainQuery withOverlay(boolean overlay) {
    return new ExplainQuery(
        model, version, image, targetClass, numSamples, seed, threshold, overlay, deadline);
  }
}
