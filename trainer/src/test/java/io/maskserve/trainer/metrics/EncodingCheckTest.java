package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.trainer.reinforce.OrtClassifier;
import org.junit.jupiter.api.Test;

/** The encoding check on a toy classifier: class 0 = mean of the top-left quadrant, class 1 = bottom-right. */
class EncodingCheckTest {

  static final int S = 4;

  @Test
  void partnersHaveAnotherLabelAndAnotherPredictionAndAreReproducible() {
    int[] targets = {0, 0, 1, 2};
    int[] labels = {0, 0, 1, 2};
    int[] predictions = {0, 0, 1, 0};
    int[] p = EncodingCheck.partners(targets, labels, predictions, 7);
    assertEquals(2, p[0], "image 3 is predicted 0, so only image 2 qualifies");
    assertEquals(2, p[1]);
    assertTrue(p[2] == 0 || p[2] == 1 || p[2] == 3);
    assertTrue(p[3] == 0 || p[3] == 1 || p[3] == 2);
    assertArrayEquals(p, EncodingCheck.partners(targets, labels, predictions, 7));
    assertEquals(-1, EncodingCheck.partners(new int[] {0, 0}, new int[] {0, 0}, new int[] {0, 0}, 7)[0]);
  }

  @Test
  void theTargetWinsWhenTheMaskShapeAloneCarriesIt() throws Exception {
    try (OrtClassifier toy = QuadrantClassifier.create(S, 0, 3)) {
      EncodingCheck check = new EncodingCheck(toy, S, S);
      // The mask of a class-0 image keeps the top-left quadrant.
      boolean[] topLeft = QuadrantClassifier.quadrantMask(S, 0);
      // Partner A (class 1: bottom-right 3, top-left 1): masked, top-left 1 > bottom-right 0 -> class 0 wins.
      float[] a = add(QuadrantClassifier.quadrantImage(S, 3, 3f), QuadrantClassifier.quadrantImage(S, 0, 1f));
      // Partner B (class 1: bottom-right 3, top-left -1): masked, -1 < 0 -> class 1 stays.
      float[] b = add(QuadrantClassifier.quadrantImage(S, 3, 3f), QuadrantClassifier.quadrantImage(S, 0, -1f));
      assertArrayEquals(new int[] {1, 1}, toy.top1(concat(a, b), 2), "both partners are class 1 unmasked");
      boolean[] wins = check.targetWins(concat(a, b), new boolean[][] {topLeft, topLeft}, new int[] {0, 0});
      assertArrayEquals(new boolean[] {true, false}, wins);
    }
  }

  private static float[] add(float[] x, float[] y) {
    float[] out = x.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += y[i];
    }
    return out;
  }

  private static float[] concat(float[] x, float[] y) {
    float[] out = new float[x.length + y.length];
    System.arraycopy(x, 0, out, 0, x.length);
    System.arraycopy(y, 0, out, x.length, y.length);
    return out;
  }
}
