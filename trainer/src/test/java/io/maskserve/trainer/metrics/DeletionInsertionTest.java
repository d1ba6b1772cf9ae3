package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pieces of the RISE deletion/insertion metric against hand-computed values. */
class DeletionInsertionTest {

  @Test
  void aucIsTheTrapezoidRuleOnAUnitAbscissa() {
    assertEquals(0.5, DeletionInsertion.auc(new double[] {1, 0}), 1e-12);
    assertEquals(1.0, DeletionInsertion.auc(new double[] {1, 1, 1, 1}), 1e-12);
    // (0.5 + 1 + 0.25)/... : (sum − first/2 − last/2)/(n − 1) = (0+1+0.5 − 0 − 0.25)/2
    assertEquals(0.625, DeletionInsertion.auc(new double[] {0, 1, 0.5}), 1e-12);
  }

  @Test
  void rankIsByDecreasingSaliencyWithStableTies() {
    assertArrayEquals(new int[] {2, 0, 3, 1}, DeletionInsertion.rank(new float[] {0.5f, 0.1f, 0.9f, 0.5f}));
  }

  @Test
  void blurReflectsBordersAndKeepsConstantsAndMass() {
    assertEquals(1, DeletionInsertion.reflect(-1, 5));
    assertEquals(3, DeletionInsertion.reflect(5, 5));
    assertEquals(0, DeletionInsertion.reflect(8, 5));
    int h = 6;
    int w = 7;
    float[] constant = new float[3 * h * w];
    java.util.Arrays.fill(constant, 0.75f);
    float[] b = DeletionInsertion.blur(constant, h, w);
    for (float v : b) {
      assertEquals(0.75f, v, 1e-5f);
    }
    float[] impulse = new float[3 * 21 * 21];
    impulse[10 * 21 + 10] = 1f;
    float[] spread = DeletionInsertion.blur(impulse, 21, 21);
    double sum = 0;
    for (int i = 0; i < 21 * 21; i++) {
      sum += spread[i];
    }
    assertEquals(1.0, sum, 1e-5, "an interior impulse keeps its mass");
    assertEquals(spread[10 * 21 + 9], spread[10 * 21 + 11], 1e-7);
    assertEquals(spread[9 * 21 + 10], spread[10 * 21 + 9], 1e-7);
  }
}
