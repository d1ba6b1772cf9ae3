package io.maskserve.server.pipeline;

import io.maskserve.zoo.preprocess.InputRegion;
import io.maskserve.server.sampling.PackedMask;
import java.util.List;
import java.util.Objects;

/**
 * What an explanation produced, free of any protocol type.
 *
 * @param model model name
 * @param version the version that served (resolved when the query asked for latest)
 * @param predictions top-5 (or fewer classes) on the original image, most probable first
 * @param targetClass the explained class
 * @param targetLabel its label
 * @param targetOriginalProbability the classifier's probability of it on the original image
 * @param probabilityMap the generator's keep probabilities at input resolution; null for a
 *     baseline method
 * @param threshold the threshold used for {@code mask} (0 for a baseline)
 * @param mask the deterministic mask, scored: {@code map >= threshold} for the generator, the top
 *     keep fraction of pixels by saliency for a baseline
 * @param samples the Bernoulli samples, scored (none for a baseline)
 * @param seed the sampler seed used (the noise/mask seed of SmoothGrad and RISE)
 * @param overlayPng the overlay PNG, empty unless asked for
 * @param timings microseconds per stage
 * @param method the method that produced the explanation
 * @param saliencyMap the method's map at input resolution (the keep probabilities for the generator)
 */
public record ExplanationResult(
    String model,
    String version,
    List<Prediction> predictions,
    int targetClass,
    String targetLabel,
    float targetOriginalProbability,
    ProbabilityMap probabilityMap,
    float threshold,
    ScoredMask mask,
    List<ScoredMask> samples,
    long seed,
    byte[] overlayPng,
    StageTimings timings,
    ExplanationMethod method,
    SaliencyMap saliencyMap,
    InputRegion inputRegion) {

  /** A result without the input's region in the original image (tensor inputs). */
  public ExplanationResult(String model, String version, List<Prediction> predictions, int targetClass,
      String targetLabel, float targetOriginalProbability, ProbabilityMap probabilityMap, float threshold,
      ScoredMask mask, List<ScoredMask> samples, long seed, byte[] overlayPng, StageTimings timings,
      ExplanationMethod method, SaliencyMap saliencyMap) {
    this(model, version, predictions, targetClass, targetLabel, targetOriginalProbability, probabilityMap, threshold,
        mask, samples, seed, overlayPng, timings, method, saliencyMap, null);
  }

  /** Where the input lies in the original image, when the request sent an encoded image. */
  public java.util.Optional<InputRegion> region() {
    return java.util.Optional.ofNullable(inputRegion);
  }

  /** A copy recording where the input lies in the original image. */
  public ExplanationResult withRegion(InputRegion region) {
    return new ExplanationResult(
        model, version, predictions, targetClass, targetLabel, targetOriginalProbability, probabilityMap,
        threshold, mask, samples, seed, overlayPng, timings, method, saliencyMap, region);
  }

  public ExplanationResult {
    predictions = List.copyOf(predictions);
    Objects.requireNonNull(method, "method");
    if (method.isGenerator()) {
      Objects.requireNonNull(probabilityMap, "probabilityMap");
      if (saliencyMap == null) {
        saliencyMap = new SaliencyMap(probabilityMap.height(), probabilityMap.width(), probabilityMap.values);
      }
    } else if (probabilityMap != null) {
      throw new IllegalArgumentException("a baseline (" + method + ") has no probability map");
    }
    Objects.requireNonNull(saliencyMap, "saliencyMap");
    Objects.requireNonNull(mask, "mask");
    samples = List.copyOf(samples);
    overlayPng = overlayPng == null ? new byte[0] : overlayPng;
    Objects.requireNonNull(timings, "timings");
  }

  /**
   * A generator explanation (the fields every result had before baseline methods existed); the
   * saliency map is the probability map.
   */
  public ExplanationResult(
      String model,
      String version,
      List<Prediction> predictions,
      int targetClass,
      String targetLabel,
      float targetOriginalProbability,
      ProbabilityMap probabilityMap,
      float threshold,
      ScoredMask mask,
      List<ScoredMask> samples,
      long seed,
      byte[] overlayPng,
      StageTimings timings) {
    this(model, version, predictions, targetClass, targetLabel, targetOriginalProbability, probabilityMap,
        threshold, mask, samples, seed, overlayPng, timings, ExplanationMethod.GENERATOR, null);
  }

  /** The overlay PNG; a copy. */
  @Override
  public byte[] overlayPng() {
    return overlayPng.clone();
  }

  /** A copy with other timings (the scheduler adds the time spent queued). */
  public ExplanationResult withTimings(StageTimings t) {
    return new ExplanationResult(
        model, version, predictions, targetClass, targetLabel, targetOriginalProbability, probabilityMap,
        threshold, mask, samples, seed, overlayPng, t, method, saliencyMap, inputRegion);
  }

  /** One class of the top-5. */
  public record Prediction(int classIndex, String label, float probability) {}

  /**
   * A mask and the classifier's probability of the target class on the image it masks.
   *
   * @param mask the mask
   * @param targetProbability the probability; NaN when not scored
   * @param scored false when the query skipped scoring ({@link ExplainQuery#skipScoring()}); kept
   *     apart from the probability so that a NaN the classifier itself returned still reaches the
   *     caller as a score
   */
  public record ScoredMask(PackedMask mask, float targetProbability, boolean scored) {
    public ScoredMask {
      Objects.requireNonNull(mask, "mask");
    }

    /** A mask the classifier scored. */
    public ScoredMask(PackedMask mask, float targetProbability) {
      this(mask, targetProbability, true);
    }

    /** A mask that was not scored. */
    public static ScoredMask unscored(PackedMask mask) {
      return new ScoredMask(mask, Float.NaN, false);
    }
  }

  /**
   * Keep probabilities, row-major, each in [0,1].
   *
   * @param height map height (the classifier's input height)
   * @param width map width
   * @param values {@code height * width} probabilities
   */
  public record ProbabilityMap(int height, int width, float[] values) {
    public ProbabilityMap {
      if (values.length != height * width) {
        throw new IllegalArgumentException("map has " + values.length + " values for " + height + "x" + width);
      }
      values = values.clone();
    }

    /** The probabilities; a copy. */
    @Override
    public float[] values() {
      return values.clone();
    }

    /** Probability of pixel {@code i} (row-major). */
    public float get(int i) {
      return values[i];
    }
  }

  /**
   * A method's map at input resolution, row-major: raw values, not necessarily in [0,1]; larger =
   * more important for the target (units per method: see each attribution class).
   *
   * @param height map height (the classifier's input height)
   * @param width map width
   * @param values {@code height * width} values
   */
  public record SaliencyMap(int height, int width, float[] values) {
    public SaliencyMap {
      if (values.length != height * width) {
        throw new IllegalArgumentException("map has " + values.length + " values for " + height + "x" + width);
      }
      values = values.clone();
    }

    /** The values; a copy. */
    @Override
    public float[] values() {
      return values.clone();
    }

    /** Value of pixel {@code i} (row-major). */
    public float get(int i) {
      return values[i];
    }
  }

  /**
   * Microseconds per stage.
   *
   * @param decodeMicros decoding and preprocessing the image
   * @param classifyMicros classifier on the original image; 0 when that pass shares the scoring
   *     call (unconditional generators, see {@link ExplanationPipeline})
   * @param generateMicros the method: generator and upsampling, or a baseline's saliency map
   * @param sampleMicros thresholding and sampling masks (a baseline: choosing its top pixels)
   * @param scoreMicros the batched classifier call on the masked images (and on the original
   *     image when {@code classifyMicros} is 0)
   * @param overlayMicros rendering the overlay
   * @param queueMicros waiting for a worker
   * @param totalMicros everything including the queue
   */
  public record StageTimings(
      long decodeMicros,
      long classifyMicros,
      long generateMicros,
      long sampleMicros,
      long scoreMicros,
      long overlayMicros,
      long queueMicros,
      long totalMicros) {

    /** A copy that also counts {@code micros} spent queued (added to the total). */
    public StageTimings withQueue(long micros) {
      return new StageTimings(
          decodeMicros, classifyMicros, generateMicros, sampleMicros, scoreMicros, overlayMicros,
          queueMicros + micros, totalMicros + micros);
    }
  }
}
