package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.trainer.metrics.Bootstrap;
import org.junit.jupiter.api.Test;

/** Paired differences on hand-made per-image values. */
class PairedComparisonTest {

  private final Bootstrap bootstrap = new Bootstrap(1000, 5);

  @Test
  void aConstantShiftIsExactAndItsSignFollowsTheMetricsDirection() {
    MethodTally ref = new MethodTally(MethodName.GENERATOR);
    MethodTally other = new MethodTally(MethodName.GRADIENT);
    for (int i = 0; i < 30; i++) {
      double v = 0.1 + 0.01 * i; // the images differ far more than the methods do
      ref.add(Metric.DELETION_AUC, i, v);
      other.add(Metric.DELETION_AUC, i, v + 0.02);
      ref.add(Metric.INSERTION_AUC, i, v);
      other.add(Metric.INSERTION_AUC, i, v + 0.02);
    }
    PairedComparison c = PairedComparison.of(ref, other, bootstrap);
    Bootstrap.Interval d = c.difference(Metric.DELETION_AUC);
    assertEquals(0.02, d.estimate(), 1e-12);
    assertEquals(0.02, d.low(), 1e-12);
    assertEquals(0.02, d.high(), 1e-12);
    assertEquals(30, d.n());
    assertEquals("worse", c.verdictWord(Metric.DELETION_AUC), "a higher deletion AUC is worse");
    assertEquals("better", c.verdictWord(Metric.INSERTION_AUC), "a higher insertion AUC is better");
    assertNull(c.difference(Metric.LOCALISATION_ERROR), "no data, no figure");
    assertEquals("level", c.verdictWord(Metric.LOCALISATION_ERROR));
  }

  @Test
  void onlyImagesBothMethodsScoredArePairedAndNoiseAroundZeroIsLevel() {
    MethodTally ref = new MethodTally(MethodName.GENERATOR);
    MethodTally other = new MethodTally(MethodName.SMOOTHGRAD);
    for (int i = 0; i < 40; i++) {
      ref.add(Metric.DELETION_AUC, i, 0.5);
      other.add(Metric.DELETION_AUC, i + 1, 0.5 + (i % 2 == 0 ? 0.01 : -0.01)); // image 0 missing, 40 extra
    }
    Bootstrap.Interval d = PairedComparison.of(ref, other, bootstrap).difference(Metric.DELETION_AUC);
    assertEquals(39, d.n());
    // Images 1..39 pair with i = 0..38: 20 at +0.01 and 19 at -0.01.
    assertEquals(0.01 / 39, d.estimate(), 1e-12);
    assertTrue(d.low() < 0 && d.high() > 0, d.toString());
    assertEquals(0, PairedComparison.of(ref, other, bootstrap).verdict(Metric.DELETION_AUC));
  }

  @Test
  void pointingDifferencesAreOfClassAveragedAccuracies() {
    MethodTally ref = new MethodTally(MethodName.GENERATOR);
    MethodTally other = new MethodTally(MethodName.CENTRE);
    // Class 0: 30 images, both hit. Class 1: 10 images, only the other method hits.
    for (int i = 0; i < 40; i++) {
      int cls = i < 30 ? 0 : 1;
      ref.addPointing(i, cls, cls == 0);
      other.addPointing(i, cls, true);
    }
    PairedComparison c = PairedComparison.of(ref, other, bootstrap);
    // Class-averaged: reference (1 + 0) / 2 = 0.5, other 1; image-averaged would give 0.25.
    assertEquals(0.5, c.difference(Metric.POINTING_ACCURACY).estimate(), 1e-12);
    assertEquals("better", c.verdictWord(Metric.POINTING_ACCURACY));
  }
}
