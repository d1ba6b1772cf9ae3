package io.maskserve.trainer.reinforce;

import io.maskserve.trainer.model.GeneratorConfig;
import java.util.Objects;

/**
 * Settings of a {@code reinforce} training run.
 *
 * @param generator the generator architecture
 * @param steps optimiser steps
 * @param batchSize images per step
 * @param samples masks sampled per image (K, at least 2 for the leave-one-out baseline)
 * @param learningRate Adam learning rate
 * @param lambdaArea weight of the kept fraction in the reward
 * @param lambdaTv weight of the mask's total variation in the reward
 * @param entropyWeight weight of the mean per-cell Bernoulli entropy bonus in the loss
 * @param seed seed of the weights, the batch order and the mask samples
 */
public record TrainerConfig(
    GeneratorConfig generator,
    int steps,
    int batchSize,
    int samples,
    float learningRate,
    float lambdaArea,
    float lambdaTv,
    float entropyWeight,
    long seed) {

  public TrainerConfig {
    Objects.requireNonNull(generator, "generator");
    if (steps < 0 || batchSize < 1 || samples < 2) {
      throw new IllegalArgumentException("need steps >= 0, batchSize >= 1, samples >= 2");
    }
    if (!(learningRate > 0) || lambdaArea < 0 || lambdaTv < 0 || entropyWeight < 0) {
      throw new IllegalArgumentException("learning rate must be positive and the weights non-negative");
    }
  }

  /** The {@code train} command's defaults for a generator configuration (tuned on synthetic scenes). */
  public static TrainerConfig defaults(GeneratorConfig generator) {
    return new TrainerConfig(generator, 500, 16, 8, 3e-3f, 1.5f, 0.3f, 0.01f, 1L);
  }

  /** A copy with another number of steps. */
  public TrainerConfig withSteps(int newSteps) {
    return new TrainerConfig(generator, newSteps, batchSize, samples, learningRate, lambdaArea, lambdaTv,
        entropyWeight, seed);
  }
}
