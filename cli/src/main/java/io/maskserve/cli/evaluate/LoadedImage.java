package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.Box;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * An image brought to the classifier's input, with its ground truth at the input resolution.
 *
 * @param tensor the normalised image {@code [3,H,W]}
 * @param picture the prepared RGB image (for the gallery), or null when not asked for
 * @param truth the ground-truth pixels ({@code H·W}: the object mask, or the union of the boxes), or
 *     null without ground truth
 * @param boxes the ground-truth boxes at the input resolution (the object mask's bounding box for a
 *     mask), or null without ground truth
 */
record LoadedImage(float[] tensor, BufferedImage picture, boolean[] truth, List<Box> boxes) {

  /** Whether the image has ground truth. */
  boolean hasTruth() {
    return truth != null;
  }
}
