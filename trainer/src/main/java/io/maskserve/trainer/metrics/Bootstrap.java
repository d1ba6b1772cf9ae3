package io.maskserve.trainer.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap confidence intervals (Efron): {@code B} resamples of the {@code n}
 * observations drawn with replacement, the statistic computed on each, the interval the 2.5th and
 * 97.5th percentiles of those {@code B} values (linear interpolation between order statistics,
 * numpy's default {@code percentile}). Every interval draws from a fresh {@code new
 * SplittableRandom(seed)} (resample {@code b} takes its {@code n} indices with {@code
 * nextInt(n)}), so a figure's interval does not depend on which figures were computed before it.
 */
public final class Bootstrap {

  /** Resamples used when not told otherwise. */
  public static final int DEFAULT_RESAMPLES = 1000;

  /** Coverage of the intervals. */
  public static final double LEVEL = 0.95;

  /**
   * An estimate with its interval.
   *
   * @param estimate the statistic on the sample itself
   * @param low the lower end of the 95% interval
   * @param high the upper end
   * @param n number of observations
   */
  public record Interval(double estimate, double low, double high, int n) {
    /** The interval of an empty sample: every figure NaN. */
    public static Interval empty() {
      return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
    }
  }

  /** A statistic of the observations at {@code indices} (repeats allowed). */
  @FunctionalInterface
  public interface Statistic {
    double of(int[] indices);
  }

  private final int resamples;
  private final long seed;

  /**
   * @param resamples {@code B}, at least 1
   * @param seed seed of the resampling
   */
  public Bootstrap(int resamples, long seed) {
    if (resamples < 1) {
      throw new IllegalArgumentException("resamples must be >= 1");
    }
    this.resamples = resamples;
    this.seed = seed;
  }

  /** The mean of {@code values} with its interval. */
  public Interval mean(double[] values) {
    double[] v = values.clone();
    return interval(v.length, idx -> {
      double s = 0;
      for (int i : idx) {
        s += v[i];
      }
      return s / idx.length;
    });
  }

  /** The statistic on all {@code n} observations, with its interval. */
  public Interval interval(int n, Statistic statistic) {
    if (n == 0) {
      return Interval.empty();
    }
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    double estimate = statistic.of(all);
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[resamples];
    int[] idx = new int[n];
    for (int b = 0; b < resamples; b++) {
      for (int i = 0; i < n; i++) {
        idx[i] = random.nextInt(n);
      }
      values[b] = statistic.of(idx);
    }
    Arrays.sort(values);
    double alpha = (1 - LEVEL) / 2;
    return new Interval(estimate, percentile(values, alpha), percentile(values, 1 - alpha), n);
  }

  /** The {@code q}-quantile of sorted values, interpolating linearly between order statistics. */
  static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
