package io.maskserve.server.pipeline;

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
 * @param probabilityMap the generator's keep probabilities at input resolution
 * @param threshold the threshold used for {@code mask}
 * @param mask the deterministic mask {@code map >= threshold}, scored
 * @param samples the Bernoulli samples, scored
 * @param seed the sampler seed used
 * @param overlayPng the overlay PNG, empty unless asked for
 * @param timings microseconds per stage
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
    StageTimings timings) {

  public ExplanationResult {
    predictions = List.copyOf(predictions);
    Objects.requireNonNull(probabilityMap, "probabilityMap");
    Objects.requireNonNull(mask, "mask");
    samples = List.copyOf(samples);
    overlayPng = overlayPng == null ? new byte[0] : overlayPng;
    Objects.requireNonNull(timings, "timings");
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
        threshold, mask, samples, seed, overlayPng, t);
  }

  /** One class of the top-5. */
  public record Prediction(int classIndex, String label, float probability) {}

  /** A mask and the classifier's probability of the target class on the image it masks. */
  public record ScoredMask(PackedMask mask, float targetProbability) {
    public ScoredMask {
      Objects.requireNonNull(mask, "mask");
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
   * Microseconds per stage.
   *
   * @param decodeMicros decoding and preprocessing the image
   * @param classifyMicros classifier on the original image
   * @param generateMicros generator and upsampling
   * @param sampleMicros thresholding and sampling masks
   * @param scoreMicros the batched classifier call on the masked images
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
