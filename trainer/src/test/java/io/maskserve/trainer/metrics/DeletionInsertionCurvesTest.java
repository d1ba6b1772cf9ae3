package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.trainer.reinforce.OrtClassifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Deletion and insertion end to end on a toy classifier whose class-0 logit is the mean of the
 * top-left quadrant of a 4x4 image (class 1: logit 0), so p(0) = sigmoid(mean of that quadrant).
 */
class DeletionInsertionCurvesTest {

  static final int SIDE = 4;

  private static float[] constantImage(float v) {
    float[] img = new float[3 * SIDE * SIDE];
    Arrays.fill(img, v);
    return img;
  }

  private static float[] map(boolean[] on) {
    float[] m = new float[on.length];
    for (int i = 0; i < on.length; i++) {
      m[i] = on[i] ? 1f : 0f;
    }
    return m;
  }

  @Test
  void aMapRankingTheDecisiveQuadrantFirstGetsTheHandComputedDeletionAuc() throws Exception {
    try (OrtClassifier toy = QuadrantClassifier.create(SIDE, 0, -1)) {
      DeletionInsertion di = new DeletionInsertion(toy, SIDE, SIDE, 2);
      assertEquals(9, di.points());
      float[] image = constantImage(2f);
      // Top-left first: pixels 0,1 then 4,5 go (the quadrant mean falls 2 -> 1 -> 0), then the rest.
      DeletionInsertion.Curves good = di.curves(image, map(QuadrantClassifier.quadrantMask(SIDE, 0)), 0);
      double s2 = QuadrantClassifier.sigmoid(2);
      double s1 = QuadrantClassifier.sigmoid(1);
      double[] expected = {s2, s1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
      assertArrayEquals(expected, good.deletion(), 1e-6);
      double auc = (s2 / 2 + s1 + 0.5 * 6 + 0.5 / 2) / 8;
      assertEquals(auc, good.auc().deletion(), 1e-6);
      // A constant image blurs to itself: insertion scores sigmoid(2) throughout.
      assertEquals(s2, good.auc().insertion(), 1e-6);

      // Bottom-right first: two useless steps, then 0,1 | 2,3 | 4,5 in index order.
      DeletionInsertion.Curves bad = di.curves(image, map(QuadrantClassifier.quadrantMask(SIDE, 3)), 0);
      double[] expectedBad = {s2, s2, s2, s1, s1, 0.5, 0.5, 0.5, 0.5};
      assertArrayEquals(expectedBad, bad.deletion(), 1e-6);
      assertEquals((s2 / 2 + 2 * s2 + 2 * s1 + 0.5 * 3 + 0.25) / 8, bad.auc().deletion(), 1e-6);
      assertTrue(good.auc().deletion() < bad.auc().deletion());
      assertEquals(good.auc(), di.evaluate(image, map(QuadrantClassifier.quadrantMask(SIDE, 0)), 0));
    }
  }

  @Test
  void insertionStartsFromTheBlurAndRestoresPixelsInRankOrder() throws Exception {
    try (OrtClassifier toy = QuadrantClassifier.create(SIDE, 0, -1)) {
      DeletionInsertion di = new DeletionInsertion(toy, SIDE, SIDE, 2);
      float[] image = QuadrantClassifier.quadrantImage(SIDE, 0, 2f);
      float[] blurred = DeletionInsertion.blur(image, SIDE, SIDE);
      double[] ins = di.curves(image, map(QuadrantClassifier.quadrantMask(SIDE, 0)), 0).insertion();
      // Only the top-left pixels 0,1,4,5 count (same value in every channel).
      double start = (blurred[0] + blurred[1] + blurred[4] + blurred[5]) / 4.0;
      assertEquals(QuadrantClassifier.sigmoid(start), ins[0], 1e-6);
      assertEquals(QuadrantClassifier.sigmoid((2 + 2 + blurred[4] + blurred[5]) / 4.0), ins[1], 1e-6);
      for (int s = 2; s < ins.length; s++) {
        assertEquals(QuadrantClassifier.sigmoid(2), ins[s], 1e-6, "step " + s);
      }
    }
  }

  @Test
  void aStepOfOnePixelGivesOneScorePerPixelPlusTheStart() throws Exception {
    try (OrtClassifier toy = QuadrantClassifier.create(SIDE, 0, -1)) {
      DeletionInsertion di = new DeletionInsertion(toy, SIDE, SIDE, 1);
      double[] del = di.curves(constantImage(2f), map(QuadrantClassifier.quadrantMask(SIDE, 0)), 0).deletion();
      assertEquals(17, del.length);
      assertEquals(QuadrantClassifier.sigmoid(1.5), del[1], 1e-6);
      assertEquals(QuadrantClassifier.sigmoid(0.5), del[3], 1e-6);
      assertEquals(0.5, del[4], 1e-6);
    }
  }

  @Test
  void theBlurSubstrateDeletesTowardsTheBlurredImage() throws Exception {
    try (OrtClassifier toy = QuadrantClassifier.create(SIDE, 0, -1)) {
      DeletionInsertion di = new DeletionInsertion(toy, SIDE, SIDE, 2, DeletionInsertion.Substrate.BLUR);
      float[] image = QuadrantClassifier.quadrantImage(SIDE, 0, 2f);
      float[] blurred = DeletionInsertion.blur(image, SIDE, SIDE);
      DeletionInsertion.Curves c = di.curves(image, map(QuadrantClassifier.quadrantMask(SIDE, 0)), 0);
      double[] del = c.deletion();
      // Pixels 0,1 take their blurred values first, then 4,5: the quadrant is then the blur's.
      assertEquals(QuadrantClassifier.sigmoid(2), del[0], 1e-6);
      assertEquals(QuadrantClassifier.sigmoid((blurred[0] + blurred[1] + 2 + 2) / 4.0), del[1], 1e-6);
      double blurredQuadrant = QuadrantClassifier.sigmoid((blurred[0] + blurred[1] + blurred[4] + blurred[5]) / 4.0);
      for (int s = 2; s < del.length; s++) {
        assertEquals(blurredQuadrant, del[s], 1e-6, "step " + s);
      }
      // Deleting everything ends where insertion starts; the mean substrate ends at p(0 image) = 0.5.
      assertEquals(c.insertion()[0], del[del.length - 1], 1e-9);
      double[] meanDel = new DeletionInsertion(toy, SIDE, SIDE, 2)
          .curves(image, map(QuadrantClassifier.quadrantMask(SIDE, 0)), 0).deletion();
      assertEquals(0.5, meanDel[meanDel.length - 1], 1e-6);
      assertTrue(blurredQuadrant > 0.5 + 1e-3, "the blur keeps part of the quadrant's signal");
    }
  }
}
