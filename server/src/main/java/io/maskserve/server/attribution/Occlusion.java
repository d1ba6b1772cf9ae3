package io.maskserve.server.attribution;

import java.util.ArrayList;
import java.util.List;

/**
 * Occlusion (Zeiler & Fergus 2014): a {@code window x window} patch of every channel set to 0 in
 * normalised space (the dataset mean) is slid over the image with {@code stride}; a pixel's value
 * is the mean, over the windows that cover it, of the drop {@code p(target | x) - p(target | x
 * with the window occluded)} of the softmax probability. Units: probability, in {@code [-1, 1]}
 * (negative where hiding the pixel helps the target).
 *
 * <p>Window origins per axis are {@code 0, stride, 2*stride, ...} up to {@code side - window},
 * plus {@code side - window} itself when the stride does not land on it, so every pixel is covered
 * ({@code stride <= window}). The occluded images are scored in batches, the deadline checked
 * between batches.
 */
public final class Occlusion implements SaliencyMethod {

  private final int window;
  private final int stride;
  private final int batch;

  /**
   * @param window patch side, {@code >= 1}
   * @param stride step, in {@code [1, window]}
   * @param batch occluded images per classifier call, {@code >= 1}
   */
  public Occlusion(int window, int stride, int batch) {
    if (window < 1 || stride < 1 || stride > window || batch < 1) {
      throw new IllegalArgumentException(
          "bad occlusion parameters: window " + window + ", stride " + stride + ", batch " + batch);
    }
    this.window = window;
    this.stride = stride;
    this.batch = batch;
  }

  /** The default window for an {@code h x w} input: {@code max(2, min(h,w)/8)}, at most {@code min(h,w)}. */
  public static int defaultWindow(int h, int w) {
    int side = Math.min(h, w);
    return Math.min(side, Math.max(2, side / 8));
  }

  /** The default stride for a window: {@code max(1, window/2)}. */
  public static int defaultStride(int window) {
    return Math.max(1, window / 2);
  }

  /** Window origins along an axis of {@code side} pixels (see the class comment). */
  static int[] origins(int side, int window, int stride) {
    List<Integer> o = new ArrayList<>();
    int last = side - window;
    for (int v = 0; v <= last; v += stride) {
      o.add(v);
    }
    if (o.get(o.size() - 1) != last) {
      o.add(last);
    }
    return o.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Number of windows on an {@code h x w} input. */
  public static long windows(int h, int w, int window, int stride) {
    return (long) origins(h, window, stride).length * origins(w, window, stride).length;
  }

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    int h = runner.height();
    int w = runner.width();
    if (window > Math.min(h, w)) {
      throw new IllegalArgumentException("window " + window + " exceeds the input " + h + "x" + w);
    }
    int plane = runner.plane();
    int size = runner.imageSize();
    int[] ys = origins(h, window, stride);
    int[] xs = origins(w, window, stride);
    int count = ys.length * xs.length;
    runner.check("occlusion");
    // The reference probability in a call of its own, by the same code path as the occluded ones.
    float base = runner.probabilities(image, 1, target)[0];
    double[] drop = new double[plane];
    int[] covered = new int[plane];
    runner.inBatches(count, runner.rowsPerCall(batch), "occlusion", (from, to) -> {
      int n = to - from;
      float[] occluded = new float[n * size];
      for (int r = 0; r < n; r++) {
        System.arraycopy(image, 0, occluded, r * size, size);
        int y0 = ys[(from + r) / xs.length];
        int x0 = xs[(from + r) % xs.length];
        for (int c = 0; c < 3; c++) {
          for (int y = y0; y < y0 + window; y++) {
            int row = r * size + c * plane + y * w;
            java.util.Arrays.fill(occluded, row + x0, row + x0 + window, 0f);
          }
        }
      }
      float[] p = runner.probabilities(occluded, n, target);
      for (int r = 0; r < n; r++) {
        int y0 = ys[(from + r) / xs.length];
        int x0 = xs[(from + r) % xs.length];
        double d = (double) base - p[r];
        for (int y = y0; y < y0 + window; y++) {
          for (int x = x0; x < x0 + window; x++) {
            drop[y * w + x] += d;
            covered[y * w + x]++;
          }
        }
      }
    });
    float[] map = new float[plane];
    for (int i = 0; i < plane; i++) {
      map[i] = covered[i] == 0 ? 0f : (float) (drop[i] / covered[i]);
    }
    return map;
  }
}
