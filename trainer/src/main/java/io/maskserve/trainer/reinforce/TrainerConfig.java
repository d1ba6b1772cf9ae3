package io.maskserve.trainer.reinforce;

import io.maskserve.trainer.model.DecoderConfig;
import io.maskserve.trainer.model.GeneratorConfig;
import java.util.Objects;

/**
 * Settings of a training run that do not depend on the objective.
 *
 * @param generator the generator architecture
 * @param steps optimiser steps of the whole run (a resumed run continues up to this step)
 * @param batchSize images per step
 * @param learningRate Adam learning rate
 * @param initialKeep keep probability the untrained generator starts from (its output bias)
 * @param seed seed of the weights, the batch order and the mask samples
 * @param cosineDecay whether the learning rate follows a cosine from {@code learningRate} at step 0
 *     down to 5% of it at {@code steps} (else it is constant)
 * @param targetTopK the class explained for each training image: 1 = the classifier's top-1 on the
 *     unmasked image; k &gt; 1 (class-conditional generators only) = one of the top k, drawn in
 *     proportion to the classifier's probabilities, so that the generator learns to explain other
 *     classes than the winner where the image supports them
 * @param targetTemperature with {@code targetTopK > 1}, the top k are drawn with weights {@code
 *     p^(1/T)}: 1 = in proportion to the classifier's probabilities, larger flattens towards
 *     uniform (a class the classifier ranks second but far behind still gets trained)
 * @param decoder when not null, the generator is this decoder of classifier tensors (the
 *     classifier must expose its taps) instead of the image U-Net {@code generator}
 * @param horizontalFlips whether each training image is mirrored left to right with probability
 *     1/2 at every step ({@link io.maskserve.trainer.data.HorizontalFlips})
 * @param logitBound when &gt; 0, the generator's logits pay {@code (|z| − bound)²} (mean over cells)
 *     beyond ±bound, so that keep probabilities stay where their gradients live (see {@link
 *     Trainer}); 0 = off
 */
public record TrainerConfig(GeneratorConfig generator, int steps, int batchSize, float learningRate,
    float initialKeep, long seed, boolean cosineDecay, int targetTopK, float targetTemperature,
    DecoderConfig decoder, boolean horizontalFlips, float logitBound) {

  /** A run whose logits are not bounded. */
  public TrainerConfig(GeneratorConfig generator, int steps, int batchSize, float learningRate, float initialKeep,
      long seed, boolean cosineDecay, int targetTopK, float targetTemperature, DecoderConfig decoder,
      boolean horizontalFlips) {
    this(generator, steps, batchSize, learningRate, initialKeep, seed, cosineDecay, targetTopK, targetTemperature,
        decoder, horizontalFlips, 0f);
  }

  /** A run without augmentation. */
  public TrainerConfig(GeneratorConfig generator, int steps, int batchSize, float learningRate, float initialKeep,
      long seed, boolean cosineDecay, int targetTopK, float targetTemperature, DecoderConfig decoder) {
    this(generator, steps, batchSize, learningRate, initialKeep, seed, cosineDecay, targetTopK, targetTemperature,
        decoder, false);
  }

  /** A U-Net generator run. */
  public TrainerConfig(GeneratorConfig generator, int steps, int batchSize, float learningRate, float initialKeep,
      long seed, boolean cosineDecay, int targetTopK, float targetTemperature) {
    this(generator, steps, batchSize, learningRate, initialKeep, seed, cosineDecay, targetTopK, targetTemperature,
        null);
  }

  /** Final learning rate of the cosine schedule, as a fraction of the initial one. */
  public static final float FINAL_LR_FRACTION = 0.05f;

  /** A constant-learning-rate configuration. */
  public TrainerConfig(GeneratorConfig generator, int steps, int batchSize, float learningRate, float initialKeep,
      long seed) {
    this(generator, steps, batchSize, learningRate, initialKeep, seed, false);
  }

  /** A configuration explaining the classifier's top-1. */
  public TrainerConfig(GeneratorConfig generator, int steps, int batchSize, float learningRate, float initialKeep,
      long seed, boolean cosineDecay) {
    this(generator, steps, batchSize, learningRate, initialKeep, seed, cosineDecay, 1, 1f);
  }

  /** Targets from the top k drawn in proportion to the classifier's probabilities (temperature 1). */
  public TrainerConfig(GeneratorConfig generator, int steps, int batchSize, float learningRate, float initialKeep,
      long seed, boolean cosineDecay, int targetTopK) {
    this(generator, steps, batchSize, learningRate, initialKeep, seed, cosineDecay, targetTopK, 1f);
  }

  /** The learning-rate multiplier of step {@code step} (0-based). */
  public float lrScale(int step) {
    if (!cosineDecay || steps == 0) {
      return 1f;
    }
    double t = Math.min(1.0, step / (double) steps);
    return (float) (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + Math.cos(Math.PI * t)));
  }

  public TrainerConfig {
    Objects.requireNonNull(generator, "generator");
    if (steps < 0 || batchSize < 1) {
      throw new IllegalArgumentException("need steps >= 0 and batchSize >= 1");
    }
    if (!(learningRate > 0) || !(initialKeep > 0 && initialKeep < 1)) {
      throw new IllegalArgumentException("learning rate must be positive and initialKeep in (0,1)");
    }
    if (targetTopK < 1) {
      throw new IllegalArgumentException("targetTopK must be >= 1, got " + targetTopK);
    }
    if (!(targetTemperature > 0 && targetTemperature < Float.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("targetTemperature must be positive and finite, got " + targetTemperature);
    }
    if (!(logitBound >= 0 && logitBound < Float.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("logitBound must be >= 0 and finite (0 = off), got " + logitBound);
    }
    if (decoder != null && generator.conditional()) {
      throw new IllegalArgumentException("feature decoders are not class-conditional");
    }
    if (targetTopK > 1 && !generator.conditional()) {
      throw new IllegalArgumentException("targets drawn from the top " + targetTopK
          + " need a class-conditional generator: an unconditional one cannot tell which class it explains");
    }
  }

  /** A copy with another number of steps. */
  public TrainerConfig withSteps(int newSteps) {
    return new TrainerConfig(generator, newSteps, batchSize, learningRate, initialKeep, seed, cosineDecay,
        targetTopK, targetTemperature, decoder, horizontalFlips);
  }
}
