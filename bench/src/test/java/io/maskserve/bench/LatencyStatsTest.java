package io.maskserve.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

  @Test
  void nearestRankPercentilesOfOneToHundredMillis() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[99 - i] = (i + 1) * 1_000_000L; // unsorted on purpose
    }
    LatencyStats s = LatencyStats.of(nanos);
    assertEquals(100, s.count());
    assertEquals(50.0, s.p50Millis(), 1e-9);
    assertEquals(99.0, s.p99Millis(), 1e-9);
    assertEquals(100.0, s.maxMillis(), 1e-9);
    assertEquals(50.5, s.meanMillis(), 1e-9);
    assertEquals(100L * 1_000_000L, nanos[0], "the input is not sorted in place");
  }

  @Test
  void smallSamplesTakeTheNearestRank() {
    LatencyStats s = LatencyStats.of(new long[] {3_000_000L, 1_000_000L});
    assertEquals(1.0, s.p50Millis(), 1e-9);
    assertEquals(3.0, s.p99Millis(), 1e-9);
    assertEquals(0, LatencyStats.of(new long[0]).count());
  }
}
