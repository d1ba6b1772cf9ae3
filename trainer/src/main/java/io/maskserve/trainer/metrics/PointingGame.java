package io.maskserve.trainer.metrics;

import java.util.Objects;

/**
 * The pointing game with the semantics of TorchRay ({@code torchray.benchmark.pointing_game},
 * Zhang et al.'s EBP benchmark as TorchRay implements it):
 *
 * <ul>
 *   <li>the point is the map's maximum at the image resolution, the first one in row-major order
 *       on ties ({@code torch.argmax} of the flattened map); NaN values are never the maximum;
 *   <li>it is a hit when some ground-truth pixel {@code (x, y)} satisfies {@code (x − u)² + (y −
 *       v)² < tolerance²} (strictly less, as TorchRay's {@code accept}); pixel coordinates are the
 *       integer row and column indices;
 *   <li>the tolerance is 15 px at 224×224 (TorchRay's default), scaled with the resolution:
 *       {@code 15 · min(H, W) / 224} ({@link #tolerance});
 *   <li>the ground truth is an object mask, or the union of the class's boxes ({@link Box#union},
 *       TorchRay's {@code voc_as_mask});
 *   <li>accuracy is {@code hits / (hits + misses)} per class, averaged over the classes (TorchRay's
 *       {@code PointingGame.accuracy}). Unlike TorchRay, which averages over every class of the
 *       dataset, only classes with at least one trial are averaged, so a subset of the data does
 *       not count absent classes as 0.
 * </ul>
 */
public final class PointingGame {

  /** TorchRay's tolerance in pixels at the reference resolution. */
  public static final double REFERENCE_TOLERANCE = 15;

  /** The resolution (side in pixels) TorchRay's tolerance refers to. */
  public static final int REFERENCE_SIDE = 224;

  private PointingGame() {}

  /** The tolerance for a {@code height x width} map: {@code 15 · min(H, W) / 224} pixels. */
  public static double tolerance(int height, int width) {
    return REFERENCE_TOLERANCE * Math.min(height, width) / REFERENCE_SIDE;
  }

  /** Index of the first maximum of {@code map} in row-major order (0 for an all-NaN map). */
  public static int argmax(float[] map) {
    int best = -1;
    for (int i = 0; i < map.length; i++) {
      if (!Float.isNaN(map[i]) && (best < 0 || map[i] > map[best])) {
        best = i;
      }
    }
    return Math.max(0, best);
  }

  /**
   * One trial: whether the maximum of {@code map} ({@code height x width}, row-major) lies within
   * {@code tolerance} of a pixel of {@code truth}.
   */
  public static boolean hit(float[] map, boolean[] truth, int height, int width, double tolerance) {
    if (map.length != height * width || truth.length != height * width) {
      throw new IllegalArgumentException("map and truth must have " + height + "x" + width + " values");
    }
    int p = argmax(map);
    return near(p % width, p / width, truth, height, width, tolerance);
  }

  /** Whether a pixel of {@code truth} lies strictly within {@code tolerance} of {@code (u, v)}. */
  public static boolean near(int u, int v, boolean[] truth, int height, int width, double tolerance) {
    int r = (int) Math.ceil(tolerance);
    double t2 = tolerance * tolerance;
    for (int y = Math.max(0, v - r); y <= Math.min(height - 1, v + r); y++) {
      for (int x = Math.max(0, u - r); x <= Math.min(width - 1, u + r); x++) {
        double d2 = (double) (x - u) * (x - u) + (double) (y - v) * (y - v);
        if (truth[y * width + x] && d2 < t2) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The class-averaged accuracy of the trials at {@code indices} (repeats allowed, as in a
   * bootstrap resample): per class hits over trials, averaged over the classes that occur.
   *
   * @param classes the class of every trial
   * @param hits the outcome of every trial
   * @param indices which trials to count
   * @return the accuracy, NaN when {@code indices} is empty
   */
  public static double classMeanAccuracy(int[] classes, boolean[] hits, int[] indices) {
    Objects.requireNonNull(indices, "indices");
    if (classes.length != hits.length) {
      throw new IllegalArgumentException("one class per trial expected");
    }
    java.util.Map<Integer, int[]> perClass = new java.util.HashMap<>();
    for (int i : indices) {
      int[] c = perClass.computeIfAbsent(classes[i], k -> new int[2]);
      c[0] += hits[i] ? 1 : 0;
      c[1]++;
    }
    if (perClass.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (int[] c : perClass.values()) {
      sum += c[0] / (double) c[1];
    }
    return sum / perClass.size();
  }

  /** {@link #classMeanAccuracy(int[], boolean[], int[])} over every trial. */
  public static double classMeanAccuracy(int[] classes, boolean[] hits) {
    int[] all = new int[hits.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return classMeanAccuracy(classes, hits, all);
  }
}
