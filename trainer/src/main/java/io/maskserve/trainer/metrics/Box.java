package io.maskserve.trainer.metrics;

import java.util.List;

/**
 * An axis-aligned ground-truth box in continuous pixel coordinates of an image: {@code (x0, y0)}
 * its top-left corner, {@code (x1, y1)} its bottom-right corner, {@code x0 <= x1}, {@code y0 <=
 * y1}.
 *
 * <p>Pixels (CASME's {@code get_loc_scores}): the box covers the columns {@code ⌊x0⌋ .. ⌊x1⌋ − 1}
 * and the rows {@code ⌊y0⌋ .. ⌊y1⌋ − 1}, clipped to the image (CASME truncates the rescaled
 * coordinates with {@code int()} and fills {@code gt[y0:y1, x0:x1]}; for non-negative coordinates
 * truncation is the floor). A box thinner than a pixel after truncation covers nothing.
 *
 * @param x0 left edge
 * @param y0 top edge
 * @param x1 right edge
 * @param y1 bottom edge
 */
public record Box(double x0, double y0, double x1, double y1) {

  public Box {
    if (!(Double.isFinite(x0) && Double.isFinite(y0) && Double.isFinite(x1) && Double.isFinite(y1))) {
      throw new IllegalArgumentException("box coordinates must be finite");
    }
    if (x1 < x0 || y1 < y0) {
      throw new IllegalArgumentException("box has x1 < x0 or y1 < y0: " + x0 + "," + y0 + "," + x1 + "," + y1);
    }
  }

  /**
   * The covered pixels as {@code {col0, row0, col1, row1}}, end-exclusive and clipped to a
   * {@code height x width} image (empty when {@code col0 == col1} or {@code row0 == row1}).
   */
  public int[] pixelBounds(int height, int width) {
    return new int[] {
      clip((int) Math.floor(x0), width), clip((int) Math.floor(y0), height),
      clip((int) Math.floor(x1), width), clip((int) Math.floor(y1), height)
    };
  }

  /** Number of pixels the box covers in a {@code height x width} image. */
  public long pixelCount(int height, int width) {
    int[] b = pixelBounds(height, width);
    return (long) (b[2] - b[0]) * (b[3] - b[1]);
  }

  /** This box mapped by {@code x -> x * sx + ox}, {@code y -> y * sy + oy} (sx, sy > 0). */
  public Box transform(double sx, double sy, double ox, double oy) {
    if (!(sx > 0 && sy > 0)) {
      throw new IllegalArgumentException("scales must be positive");
    }
    return new Box(x0 * sx + ox, y0 * sy + oy, x1 * sx + ox, y1 * sy + oy);
  }

  /**
   * The union of the pixels of {@code boxes} as a row-major {@code height x width} mask (TorchRay's
   * {@code voc_as_mask}: every box of the class filled).
   */
  public static boolean[] union(List<Box> boxes, int height, int width) {
    boolean[] mask = new boolean[height * width];
    for (Box box : boxes) {
      int[] b = box.pixelBounds(height, width);
      for (int y = b[1]; y < b[3]; y++) {
        for (int x = b[0]; x < b[2]; x++) {
          mask[y * width + x] = true;
        }
      }
    }
    return mask;
  }

  private static int clip(int v, int max) {
    return Math.max(0, Math.min(max, v));
  }
}
