package io.maskserve.trainer.metrics;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Weakly supervised localisation with the semantics of CASME (Zolna et al. 2020, {@code
 * kondiz/casme}: {@code binarize_mask}, {@code get_largest_connected}, {@code get_bounding_box},
 * {@code score.py}), the protocol of Fong &amp; Vedaldi and Dabkowski &amp; Gal:
 *
 * <ol>
 *   <li><b>threshold</b> a map with values in [0,1], either
 *       <ul>
 *         <li>{@link Threshold#casmeMean()} (CASME's default): keep the pixels strictly above the
 *             {@code k}-th smallest value, {@code k = 1 + ⌊(n − 1)(1 − mean) + 0.5⌋} (1-based,
 *             {@code n} pixels, {@code mean} the map's mean in double precision), that value
 *             clamped to {@code [1e-6, 1 − 1e-6]}: about the {@code mean · n} largest pixels;
 *         <li>{@link Threshold#value(double)}: keep the pixels strictly above a given value;
 *       </ul>
 *   <li>keep the <b>largest connected component</b> (4-connectivity, {@code scipy.ndimage.label}'s
 *       default; on ties the component met first in row-major order);
 *   <li>take its <b>bounding box</b> (inclusive pixel rows and columns); an empty mask has none;
 *   <li>the image is <b>localised</b> when the box's IoU with ANY ground-truth box of the class is
 *       {@code > 0.5}, IoU counted in pixels (ground-truth pixels as {@link Box#pixelBounds});
 *   <li>localisation error = 1 − the fraction of localised images.
 * </ol>
 *
 * One deviation: the ground-truth area is the clipped box's pixel count, where CASME uses the
 * unclipped rescaled box; they differ only for boxes reaching outside the image.
 */
public final class LocalisationError {

  /** IoU a box must exceed to count as localised. */
  public static final double IOU_THRESHOLD = 0.5;

  /**
   * How a map is binarised.
   *
   * @param mean CASME's rule (the map's mean as the kept fraction); otherwise {@code value}
   * @param value the threshold when not {@code mean}: pixels {@code > value} are kept
   */
  public record Threshold(boolean mean, double value) {
    public Threshold {
      if (!mean && !Double.isFinite(value)) {
        throw new IllegalArgumentException("threshold must be finite");
      }
    }

    /** CASME's mean rule. */
    public static Threshold casmeMean() {
      return new Threshold(true, Double.NaN);
    }

    /** A fixed threshold: pixels strictly above {@code t} are kept. */
    public static Threshold value(double t) {
      return new Threshold(false, t);
    }

    @Override
    public String toString() {
      return mean ? "mean" : Double.toString(value);
    }
  }

  /**
   * The outcome for one image.
   *
   * @param localised whether some ground-truth box has IoU {@code > 0.5} with the predicted box
   * @param bestIou the largest IoU over the ground-truth boxes (0 without a predicted box)
   * @param box the predicted box {@code {x0, y0, x1, y1}}, inclusive pixels, or null when the
   *     thresholded map is empty
   */
  public record Result(boolean localised, double bestIou, int[] box) {
    public Result {
      box = box == null ? null : box.clone();
    }

    @Override
    public int[] box() {
      return box == null ? null : box.clone();
    }
  }

  private LocalisationError() {}

  /**
   * Localises one map.
   *
   * @param map {@code height x width} values in [0,1], row-major
   * @param truth the ground-truth boxes of the class, in the map's pixel coordinates
   */
  public static Result evaluate(float[] map, int height, int width, List<Box> truth, Threshold threshold) {
    Objects.requireNonNull(truth, "truth");
    boolean[] kept = largestComponent(binarize(map, threshold), height, width);
    int[] box = boundingBox(kept, height, width);
    if (box == null) {
      return new Result(false, 0, null);
    }
    double best = 0;
    for (Box t : truth) {
      best = Math.max(best, iou(box, t.pixelBounds(height, width)));
    }
    return new Result(best > IOU_THRESHOLD, best, box);
  }

  /** The pixels {@code threshold} keeps. */
  static boolean[] binarize(float[] map, Threshold threshold) {
    for (float v : map) {
      if (!(v >= 0f && v <= 1f)) {
        throw new IllegalArgumentException("map values must lie in [0,1] (normalise the map first), got " + v);
      }
    }
    double th;
    if (threshold.mean()) {
      int n = map.length;
      double mean = 0;
      for (float v : map) {
        mean += v;
      }
      mean /= n;
      int k = 1 + (int) ((n - 1) * (1 - mean) + 0.5);
      float[] sorted = map.clone();
      Arrays.sort(sorted);
      th = Math.max(1e-6, Math.min(1 - 1e-6, sorted[Math.min(n, Math.max(1, k)) - 1]));
    } else {
      th = threshold.value();
    }
    boolean[] out = new boolean[map.length];
    for (int i = 0; i < map.length; i++) {
      out[i] = map[i] > th;
    }
    return out;
  }

  /** The largest 4-connected component of {@code mask} (the first in row-major order on ties). */
  static boolean[] largestComponent(boolean[] mask, int height, int width) {
    int[] label = new int[mask.length];
    int bestLabel = 0;
    int bestSize = 0;
    int next = 0;
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int start = 0; start < mask.length; start++) {
      if (!mask[start] || label[start] != 0) {
        continue;
      }
      int id = ++next;
      int size = 0;
      label[start] = id;
      queue.add(start);
      while (!queue.isEmpty()) {
        int p = queue.poll();
        size++;
        int y = p / width;
        int x = p % width;
        int[] neighbours = {y > 0 ? p - width : -1, y < height - 1 ? p + width : -1, x > 0 ? p - 1 : -1,
            x < width - 1 ? p + 1 : -1};
        for (int q : neighbours) {
          if (q >= 0 && mask[q] && label[q] == 0) {
            label[q] = id;
            queue.add(q);
          }
        }
      }
      if (size > bestSize) {
        bestSize = size;
        bestLabel = id;
      }
    }
    boolean[] out = new boolean[mask.length];
    for (int i = 0; i < mask.length; i++) {
      out[i] = bestLabel != 0 && label[i] == bestLabel;
    }
    return out;
  }

  /** The tightest box {@code {x0, y0, x1, y1}} (inclusive) around {@code mask}, null when empty. */
  static int[] boundingBox(boolean[] mask, int height, int width) {
    int x0 = width;
    int y0 = height;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (mask[y * width + x]) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return x1 < 0 ? null : new int[] {x0, y0, x1, y1};
  }

  /**
   * IoU in pixels of an inclusive box {@code {x0, y0, x1, y1}} and end-exclusive pixel bounds
   * {@code {c0, r0, c1, r1}} (as {@link Box#pixelBounds}).
   */
  static double iou(int[] box, int[] truth) {
    long predicted = (long) (box[2] - box[0] + 1) * (box[3] - box[1] + 1);
    long area = (long) (truth[2] - truth[0]) * (truth[3] - truth[1]);
    if (area <= 0) {
      return 0; // CASME scores a degenerate ground-truth box 0
    }
    long iw = Math.max(0, Math.min(box[2] + 1, truth[2]) - Math.max(box[0], truth[0]));
    long ih = Math.max(0, Math.min(box[3] + 1, truth[3]) - Math.max(box[1], truth[1]));
    long inter = iw * ih;
    return inter / (double) (predicted + area - inter);
  }
}
