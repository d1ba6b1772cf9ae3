package io.maskserve.trainer.synth;

import io.maskserve.trainer.data.LabelledImages;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Training augmentation of the synthetic classifier: in a random share of the scenes, random
 * square cells that do not touch the target object are replaced by the dataset mean (0 in
 * normalised space) — exactly what an explanation mask's removal does to the background.
 *
 * <p>Why: the benchmark's ground truth says the object is the evidence. A classifier that has
 * never seen removed background could still react to removal itself (a grey patch can look like a
 * distractor), so a mask keeping exactly the object would not be the best explanation of its
 * decision. Trained with this augmentation, the classifier is indifferent to background removal
 * and the object is the explanation by construction. Object pixels are never removed, so the
 * classifier learns nothing about partial objects.
 */
public final class BackgroundMasking {

  private final double probability;
  private final int[] cellSizes;

  /**
   * @param probability share of scenes that get masked
   * @param cellSizes side lengths (pixels) the cell size is drawn from
   */
  public BackgroundMasking(double probability, int... cellSizes) {
    if (!(probability >= 0 && probability <= 1) || cellSizes.length == 0) {
      throw new IllegalArgumentException("need a probability in [0,1] and at least one cell size");
    }
    for (int s : cellSizes) {
      if (s < 1) {
        throw new IllegalArgumentException("cell sizes must be >= 1");
      }
    }
    this.probability = probability;
    this.cellSizes = cellSizes.clone();
  }

  /** The default: half the scenes, cells of 1, 2, 4 or 8 pixels, each removed with p ~ U(0,1). */
  public static BackgroundMasking defaults() {
    return new BackgroundMasking(0.5, 1, 2, 4, 8);
  }

  /** A copy of {@code images} (which must have object masks) with the augmentation applied. */
  public LabelledImages apply(LabelledImages images, long seed) {
    Objects.requireNonNull(images.masks(), "images need object masks");
    float[] pixels = images.pixels().clone();
    int hh = images.height();
    int ww = images.width();
    int plane = hh * ww;
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < images.size(); i++) {
      if (rng.nextDouble() >= probability) {
        continue;
      }
      boolean[] obj = images.masks()[i];
      int cell = cellSizes[rng.nextInt(cellSizes.length)];
      double removeP = rng.nextDouble();
      for (int y0 = 0; y0 < hh; y0 += cell) {
        for (int x0 = 0; x0 < ww; x0 += cell) {
          if (rng.nextDouble() >= removeP || touches(obj, ww, hh, y0, x0, cell)) {
            continue;
          }
          for (int y = y0; y < Math.min(hh, y0 + cell); y++) {
            for (int x = x0; x < Math.min(ww, x0 + cell); x++) {
              for (int c = 0; c < 3; c++) {
                pixels[i * 3 * plane + c * plane + y * ww + x] = 0f;
              }
            }
          }
        }
      }
    }
    return new LabelledImages(pixels, images.labels(), images.masks(), hh, ww);
  }

  private static boolean touches(boolean[] obj, int ww, int hh, int y0, int x0, int cell) {
    for (int y = y0; y < Math.min(hh, y0 + cell); y++) {
      for (int x = x0; x < Math.min(ww, x0 + cell); x++) {
        if (obj[y * ww + x]) {
          return true;
        }
      }
    }
    return false;
  }
}
