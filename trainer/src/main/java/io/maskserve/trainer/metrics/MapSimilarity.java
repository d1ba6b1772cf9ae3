package io.maskserve.trainer.metrics;

import java.util.Arrays;
import java.util.Objects;

/**
 * How similar two saliency maps are, with the semantics of the model parameter randomisation test
 * (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018, and its reference code):
 *
 * <ul>
 *   <li>{@link #spearman}: Spearman rank correlation of the two maps' values over all pixels
 *       (ties get their average rank, as {@code scipy.stats.spearmanr}); the paper reports it on
 *       the maps as they are and on their absolute values ({@link #abs});
 *   <li>{@link #ssim}: the structural similarity index of Wang et al. (2004) with
 *       {@code skimage.metrics.structural_similarity}'s defaults as the paper's code used them: each
 *       map first min-max normalised to [0,1] (data range 1), a 7×7 uniform window over every
 *       position where it fits (no padding), sample (N−1) covariances, K1 = 0.01, K2 = 0.03, the mean
 *       over the windows. Maps smaller than 7 on a side use their whole extent as one window.
 * </ul>
 *
 * Maps are {@code height*width} floats, row-major. NaN values are not allowed.
 */
public final class MapSimilarity {

  /** Side of skimage's default window. */
  public static final int WINDOW = 7;

  private static final double K1 = 0.01;
  private static final double K2 = 0.03;

  private MapSimilarity() {}

  /** Spearman's rank correlation of {@code a} and {@code b}; 0 when either is constant. */
  public static double spearman(float[] a, float[] b) {
    check(a, b);
    return pearson(ranks(a), ranks(b));
  }

  /** The element-wise absolute values of {@code map}. */
  public static float[] abs(float[] map) {
    float[] out = new float[map.length];
    for (int i = 0; i < map.length; i++) {
      out[i] = Math.abs(map[i]);
    }
    return out;
  }

  /** SSIM of the min-max normalised maps (see the class comment); 1 for identical maps. */
  public static double ssim(float[] a, float[] b, int height, int width) {
    check(a, b);
    if (a.length != height * width) {
      throw new IllegalArgumentException("maps have " + a.length + " values, not " + height + "x" + width);
    }
    double[] x = normalise(a);
    double[] y = normalise(b);
    int wy = Math.min(WINDOW, height);
    int wx = Math.min(WINDOW, width);
    double c1 = K1 * K1;
    double c2 = K2 * K2;
    int n = wy * wx;
    double covNorm = n > 1 ? n / (n - 1.0) : 1.0;
    double sum = 0;
    int windows = 0;
    for (int top = 0; top + wy <= height; top++) {
      for (int left = 0; left + wx <= width; left++) {
        double mx = 0;
        double my = 0;
        double mxx = 0;
        double myy = 0;
        double mxy = 0;
        for (int r = top; r < top + wy; r++) {
          for (int c = left; c < left + wx; c++) {
            double u = x[r * width + c];
            double v = y[r * width + c];
            mx += u;
            my += v;
            mxx += u * u;
            myy += v * v;
            mxy += u * v;
          }
        }
        mx /= n;
        my /= n;
        double vx = covNorm * (mxx / n - mx * mx);
        double vy = covNorm * (myy / n - my * my);
        double cxy = covNorm * (mxy / n - mx * my);
        sum += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        windows++;
      }
    }
    return sum / windows;
  }

  /** Average ranks (1-based) of {@code v}'s values: ties share the mean of the ranks they span. */
  static double[] ranks(float[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (p, q) -> Float.compare(v[p], v[q]));
    double[] ranks = new double[v.length];
    int i = 0;
    while (i < v.length) {
      int j = i;
      while (j + 1 < v.length && Float.compare(v[order[j + 1]], v[order[i]]) == 0) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = rank;
      }
      i = j + 1;
    }
    return ranks;
  }

  private static double pearson(double[] x, double[] y) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= x.length;
    my /= y.length;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  }

  /** (v − min) / (max − min); all zeros for a constant map. */
  private static double[] normalise(float[] v) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float f : v) {
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    double range = max - min;
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = range > 0 ? (v[i] - min) / range : 0;
    }
    return out;
  }

  private static void check(float[] a, float[] b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException("maps must be non-empty and of equal size: " + a.length + " vs " + b.length);
    }
    for (int i = 0; i < a.length; i++) {
      if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
        throw new IllegalArgumentException("maps must not hold NaN (index " + i + ")");
      }
    }
  }
}
