package io.maskserve.trainer.data;

import java.util.SplittableRandom;

/**
 * Training augmentation: each image of a batch mirrored left to right with probability 1/2. A
 * generator trained on a few images per class (ImageNet's one photo per class) sees twice as many
 * distinct inputs, and a mirrored photo is as natural as the original, so the classifier's decision
 * and what explains it mirror with it. The draws come from the caller's random stream, so a seeded
 * run (and a resumed one) flips the same images at the same steps.
 */
public final class HorizontalFlips {

  private HorizontalFlips() {}

  /** Which of {@code n} images to flip: each independently with probability 1/2. */
  public static boolean[] draw(SplittableRandom rng, int n) {
    boolean[] which = new boolean[n];
    for (int i = 0; i < n; i++) {
      which[i] = rng.nextBoolean();
    }
    return which;
  }

  /**
   * Mirrors, in place, the images {@code i} with {@code which[i]} of a contiguous {@code
   * [which.length, channels, height, width]} batch.
   */
  public static void apply(float[] images, int channels, int height, int width, boolean[] which) {
    if ((long) which.length * channels * height * width != images.length) {
      throw new IllegalArgumentException("batch of " + images.length + " floats is not " + which.length + "x"
          + channels + "x" + height + "x" + width);
    }
    for (int i = 0; i < which.length; i++) {
      if (!which[i]) {
        continue;
      }
      for (int row = 0; row < channels * height; row++) {
        int base = (i * channels * height + row) * width;
        for (int a = base, b = base + width - 1; a < b; a++, b--) {
          float t = images[a];
          images[a] = images[b];
          images[b] = t;
        }
      }
    }
  }
}
