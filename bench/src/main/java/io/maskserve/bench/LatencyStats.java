package io.maskserve.bench;

import java.util.Arrays;

/**
 * Summary of measured latencies.
 *
 * @param count number of measurements
 * @param meanMillis mean
 * @param p50Millis median (nearest-rank)
 * @param p99Millis 99th percentile (nearest-rank)
 * @param maxMillis largest
 */
public record LatencyStats(int count, double meanMillis, double p50Millis, double p99Millis, double maxMillis) {

  /** Summarises {@code nanos} (not modified); all zero when it is empty. */
  public static LatencyStats of(long[] nanos) {
    if (nanos.length == 0) {
      return new LatencyStats(0, 0, 0, 0, 0);
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    return new LatencyStats(sorted.length, sum / sorted.length / 1e6, percentile(sorted, 50) / 1e6,
        percentile(sorted, 99) / 1e6, sorted[sorted.length - 1] / 1e6);
  }

  /** Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
