package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Percentile bootstrap intervals. */
class BootstrapTest {

  @Test
  void aConstantSampleHasADegenerateInterval() {
    double[] v = new double[50];
    Arrays.fill(v, 0.42);
    Bootstrap.Interval i = new Bootstrap(1000, 1).mean(v);
    assertEquals(0.42, i.estimate(), 1e-12);
    assertEquals(0.42, i.low(), 1e-12);
    assertEquals(0.42, i.high(), 1e-12);
    assertEquals(50, i.n());
  }

  @Test
  void aKnownSampleIsBracketedWithTheNormalWidth() {
    // 200 coin flips, half heads: mean 0.5, standard error sqrt(0.25/200) = 0.0354, so the 95%
    // interval is about 0.5 +- 0.069.
    double[] v = new double[200];
    for (int i = 0; i < v.length; i += 2) {
      v[i] = 1;
    }
    Bootstrap.Interval i = new Bootstrap(1000, 3).mean(v);
    assertEquals(0.5, i.estimate(), 1e-12);
    assertTrue(i.low() < 0.5 && i.high() > 0.5, i.toString());
    assertEquals(0.5 - 0.069, i.low(), 0.015, i.toString());
    assertEquals(0.5 + 0.069, i.high(), 0.015, i.toString());
    assertEquals(i, new Bootstrap(1000, 3).mean(v), "a fixed seed gives the same interval");
  }

  @Test
  void percentilesInterpolateLinearlyAsNumpy() {
    double[] sorted = {1, 2, 3, 4, 5};
    assertEquals(1.1, Bootstrap.percentile(sorted, 0.025), 1e-12);
    assertEquals(4.9, Bootstrap.percentile(sorted, 0.975), 1e-12);
    assertEquals(3, Bootstrap.percentile(sorted, 0.5), 1e-12);
  }

  @Test
  void anyStatisticCanBeBootstrappedAndAnEmptySampleIsNaN() {
    int[] classes = {0, 0, 1, 1};
    boolean[] hits = {true, true, false, true};
    Bootstrap.Interval i = new Bootstrap(200, 5).interval(4, idx -> PointingGame.classMeanAccuracy(classes, hits, idx));
    assertEquals(0.75, i.estimate(), 1e-12);
    assertTrue(i.low() <= 0.75 && i.high() >= 0.75);
    assertTrue(Double.isNaN(new Bootstrap(10, 1).mean(new double[0]).estimate()));
  }
}
