package io.maskserve.trainer.reinforce;

import java.util.SplittableRandom;

/**
 * What a training mask's removed pixels become. The deletion metric removes to the dataset mean
 * and the insertion metric inserts into the image blurred (Gaussian, kernel 11, σ 5); a sample
 * that asks "does the kept region keep the class?" can be scored on either.
 */
public enum Substrate {
  /** The dataset mean: 0 in normalised space, as RISE and the deletion metric remove. */
  MEAN,
  /** The image blurred as the insertion metric's substrate ({@code DeletionInsertion.blur}). */
  BLUR,
  /** Per image and step, {@link #MEAN} or {@link #BLUR} with equal probability. */
  MIXED;

  /**
   * Which of {@code images} get the blurred substrate this step. Draws from {@code rng} only for
   * {@link #MIXED} (one draw per image), so a run on {@link #MEAN} or {@link #BLUR} samples the
   * same masks as one on the mean did before this option.
   */
  public boolean[] blurred(int images, SplittableRandom rng) {
    boolean[] out = new boolean[images];
    for (int i = 0; i < images; i++) {
      out[i] = this == BLUR || (this == MIXED && !rng.nextBoolean());
    }
    return out;
  }
}
