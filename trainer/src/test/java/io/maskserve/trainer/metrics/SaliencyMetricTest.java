package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maskserve.trainer.reinforce.OrtClassifier;
import org.junit.jupiter.api.Test;

/** Dabkowski &amp; Gal's saliency metric on a toy classifier (class 0: mean of the top-left quadrant). */
class SaliencyMetricTest {

  static final int S = 8;

  @Test
  void cropResizeIsBilinearWithHalfPixelCentres() {
    float[] img = {0, 1, 2, 3}; // one channel, 2x2
    float[] out = CropResize.cropResize(img, 1, 2, 2, new int[] {0, 0, 1, 1}, 4, 4);
    assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, java.util.Arrays.copyOfRange(out, 0, 4), 1e-6f);
    assertArrayEquals(new float[] {0.5f, 0.75f, 1.25f, 1.5f}, java.util.Arrays.copyOfRange(out, 4, 8), 1e-6f);
    assertArrayEquals(new float[] {2, 2.25f, 2.75f, 3}, java.util.Arrays.copyOfRange(out, 12, 16), 1e-6f);
    // A one-pixel crop is a constant.
    float[] one = CropResize.cropResize(img, 1, 2, 2, new int[] {1, 0, 1, 0}, 3, 3);
    for (float v : one) {
      assertEquals(1f, v, 0f);
    }
  }

  @Test
  void scoresTheTightestBoxCropAndFloorsTheArea() throws Exception {
    try (OrtClassifier toy = QuadrantClassifier.create(S, 0, -1)) {
      SaliencyMetric metric = new SaliencyMetric(toy, S, S);
      float[] image = QuadrantClassifier.quadrantImage(S, 0, 2f);
      boolean[] quadrant = QuadrantClassifier.quadrantMask(S, 0);
      boolean[] onePixel = new boolean[S * S];
      onePixel[5 * S + 5] = true;
      boolean[] empty = new boolean[S * S];
      float[] three = new float[3 * image.length];
      for (int i = 0; i < 3; i++) {
        System.arraycopy(image, 0, three, i * image.length, image.length);
      }
      SaliencyMetric.Result[] r = metric.evaluate(three, new boolean[][] {quadrant, onePixel, empty}, new int[] {0, 0, 0});
      // The quadrant's box is 4x4 (a = 0.25); its crop, resized, is 2 everywhere: p = sigmoid(2).
      assertEquals(0.25, r[0].area(), 1e-12);
      assertEquals(QuadrantClassifier.sigmoid(2), r[0].probability(), 1e-6);
      assertEquals(Math.log(0.25) - Math.log(QuadrantClassifier.sigmoid(2)), r[0].score(), 1e-6);
      // One pixel (a = 1/64 < 0.05) of value 0: p = 0.5, score log(0.05) - log(0.5).
      assertEquals(1 / 64.0, r[1].area(), 1e-12);
      assertEquals(Math.log(0.1), r[1].score(), 1e-6);
      // Nothing kept: area 0, the all-mean image, p = 0.5.
      assertEquals(0, r[2].area(), 1e-12);
      assertEquals(Math.log(0.1), r[2].score(), 1e-6);
      assertEquals(Math.log(0.05) - Math.log(0.5), SaliencyMetric.score(0.01, 0.5), 1e-12);
    }
  }
}
