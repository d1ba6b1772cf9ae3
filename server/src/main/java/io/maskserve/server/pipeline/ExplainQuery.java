package io.maskserve.server.pipeline;

import io.maskserve.server.attribution.AttributionOptions;
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
 * @param numSamples Bernoulli masks to sample and score (0..the server's max; generator only)
 * @param seed sampler seed (or the noise/mask seed of SmoothGrad and RISE); empty to let the
 *     pipeline pick one (returned in the result)
 * @param threshold keep threshold of the generator's deterministic mask; empty for the manifest's
 * @param includeOverlay whether to render the overlay PNG
 * @param deadline when to give up; empty for none
 * @param method how to explain (default the generator)
 * @param methodOptions parameters of a baseline method (ignored by the generator)
 * @param keepFraction a baseline's mask keeps this fraction of the most salient pixels; empty for
 *     {@link #DEFAULT_KEEP_FRACTION} (ignored by the generator)
 * @param skipScoring return the map and masks without scoring the masks on the classifier (one
 *     classifier call fewer; the result's mask probabilities are then NaN)
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
    Optional<Deadline> deadline,
    ExplanationMethod method,
    AttributionOptions methodOptions,
    Optional<Float> keepFraction,
    boolean skipScoring) {

  /** The fraction of pixels a baseline's deterministic mask keeps by default. */
  public static final float DEFAULT_KEEP_FRACTION = 0.25f;

  public ExplainQuery {
    Objects.requireNonNull(model, "model");
    version = version == null ? "" : version;
    Objects.requireNonNull(image, "image");
    targetClass = targetClass == null ? OptionalInt.empty() : targetClass;
    seed = seed == null ? OptionalLong.empty() : seed;
    threshold = threshold == null ? Optional.empty() : threshold;
    deadline = deadline == null ? Optional.empty() : deadline;
    method = method == null ? ExplanationMethod.GENERATOR : method;
    methodOptions = methodOptions == null ? AttributionOptions.defaults() : methodOptions;
    keepFraction = keepFraction == null ? Optional.empty() : keepFraction;
  }

  /** A generator query (the fields every query had before baseline methods existed). */
  public ExplainQuery(
      String model,
      String version,
      ImageInput image,
      OptionalInt targetClass,
      int numSamples,
      OptionalLong seed,
      Optional<Float> threshold,
      boolean includeOverlay,
      Optional<Deadline> deadline) {
    this(model, version, image, targetClass, numSamples, seed, threshold, includeOverlay, deadline,
        ExplanationMethod.GENERATOR, AttributionOptions.defaults(), Optional.empty(), false);
  }

  /** A query for the top-1 class of {@code model}'s latest version, no samples, no overlay. */
  public static ExplainQuery of(String model, ImageInput image) {
    return new ExplainQuery(
        model, "", image, OptionalInt.empty(), 0, OptionalLong.empty(), Optional.empty(), false, Optional.empty());
  }

  /** A copy with {@code numSamples} samples drawn with {@code seed}. */
  public ExplainQuery withSamples(int numSamples, long seed) {
    return new ExplainQuery(model, version, image, targetClass, numSamples, OptionalLong.of(seed), threshold,
        includeOverlay, deadline, method, methodOptions, keepFraction, skipScoring);
  }

  /** A copy explaining {@code targetClass}. */
  public ExplainQuery withTarget(int targetClass) {
    return new ExplainQuery(model, version, image, OptionalInt.of(targetClass), numSamples, seed, threshold,
        includeOverlay, deadline, method, methodOptions, keepFraction, skipScoring);
  }

  /** A copy with the given deadline. */
  public ExplainQuery withDeadline(Deadline d) {
    return new ExplainQuery(model, version, image, targetClass, numSamples, seed, threshold, includeOverlay,
        Optional.ofNullable(d), method, methodOptions, keepFraction, skipScoring);
  }

  /** A copy with the given overlay flag. */
  public ExplainQuery withOverlay(boolean overlay) {
    return new ExplainQuery(model, version, image, targetClass, numSamples, seed, threshold, overlay, deadline,
        method, methodOptions, keepFraction, skipScoring);
  }

  /** A copy explained by {@code method} with {@code options}. */
  public ExplainQuery withMethod(ExplanationMethod method, AttributionOptions options) {
    return new ExplainQuery(model, version, image, targetClass, numSamples, seed, threshold, includeOverlay,
        deadline, method, options, keepFraction, skipScoring);
  }

  /** A copy explained by {@code method} with its default options. */
  public ExplainQuery withMethod(ExplanationMethod method) {
    return withMethod(method, AttributionOptions.defaults());
  }

  /** A copy whose baseline mask keeps {@code fraction} of the pixels. */
  public ExplainQuery withKeepFraction(float fraction) {
    return new ExplainQuery(model, version, image, targetClass, numSamples, seed, threshold, includeOverlay,
        deadline, method, methodOptions, Optional.of(fraction), skipScoring);
  }

  /** A copy with the given seed. */
  public ExplainQuery withSeed(long seed) {
    return new ExplainQuery(model, version, image, targetClass, numSamples, OptionalLong.of(seed), threshold,
        includeOverlay, deadline, method, methodOptions, keepFraction, skipScoring);
  }

  /** A copy that does ({@code true}) or does not skip scoring the masks. */
  public ExplainQuery withSkipScoring(boolean skip) {
    return new ExplainQuery(model, version, image, targetClass, numSamples, seed, threshold, includeOverlay,
        deadline, method, methodOptions, keepFraction, skip);
  }
}
