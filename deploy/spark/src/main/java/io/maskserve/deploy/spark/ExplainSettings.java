package io.maskserve.deploy.spark;

import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ImageInput;
import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What every executor needs to explain a partition: the model, the batch size and the per-image
 * query parameters. Serializable (it is part of the task closure).
 *
 * @param model the model to load in each executor JVM
 * @param batchSize images per {@code explainBatch} call (shared ONNX Runtime calls)
 * @param threshold the deterministic mask's threshold; null for the generator's manifest value
 * @param numSamples Bernoulli masks per image (0 = only the deterministic mask)
 * @param sampleSeed the sampler seed of every image: fixed, so that a job run twice (or a failed
 *     task retried) writes the same samples
 */
public record ExplainSettings(ModelRef model, int batchSize, Float threshold, int numSamples, long sampleSeed)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public ExplainSettings {
    Objects.requireNonNull(model, "model");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (threshold != null && !(threshold >= 0f && threshold <= 1f)) {
      throw new IllegalArgumentException("threshold must be in [0,1], got " + threshold);
    }
    if (numSamples < 0) {
      throw new IllegalArgumentException("samples must be >= 0, got " + numSamples);
    }
  }

  /** The server query for one encoded image: what an {@code Explain} call with these settings asks. */
  public ExplainQuery query(byte[] encoded) {
    return new ExplainQuery(
        model.model(),
        model.version(),
        new ImageInput.Encoded(encoded),
        OptionalInt.empty(),
        numSamples,
        OptionalLong.of(sampleSeed),
        Optional.ofNullable(threshold),
        false,
        Optional.empty());
  }
}
