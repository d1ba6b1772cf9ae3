package io.maskserve.trainer.reinforce;

/**
 * What one training step measured.
 *
 * @param step 1-based step number
 * @param meanReward mean reward of the sampled masks
 * @param meanLogProb mean log p(target | masked image)
 * @param meanKeep mean kept fraction of the sampled masks
 * @param loss the policy-gradient loss value
 * @param imagesPerSecond images (not masks) per second of this step
 */
public record StepStats(int step, double meanReward, double meanLogProb, double meanKeep, double loss,
    double imagesPerSecond) {}
