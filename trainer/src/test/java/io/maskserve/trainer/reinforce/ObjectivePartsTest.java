package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.maskserve.trainer.model.Djl;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The closed forms and helpers the objectives rest on. */
class ObjectivePartsTest {

  @Test
  void expectedTotalVariationMatchesMonteCarlo() {
    int h = 3;
    int w = 4;
    SplittableRandom r = new SplittableRandom(3);
    float[] p = new float[h * w];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) r.nextDouble();
    }
    double exact;
    try (NDManager m = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      exact = Reinforce.expectedTotalVariation(m.create(p, new Shape(1, 1, h, w)), m).getFloat(0);
    }
    int n = 200_000;
    float[] masks = Masks.sample(p, 1, n, h * w, r);
    double mc = 0;
    for (int s = 0; s < n; s++) {
      mc += Masks.totalVariation(masks, s * h * w, h, w);
    }
    mc /= n;
    assertEquals(mc, exact, 3e-3, "closed form " + exact + " vs Monte Carlo " + mc);
  }

  @Test
  void maskedOnTheBlurFillsWhatEachPickedMaskRemovesFromTheBlurredImage() {
    // Two 8x8 images, two samples each on a 4x4 grid (2x2 pixels per cell): x·m + blur(x)·(1 − m) for
    // the picked samples (image 0 sample 1, image 1 sample 0), x·m for the others.
    int n = 2;
    int k = 2;
    int size = 8;
    int len = 3 * size * size;
    SplittableRandom r = new SplittableRandom(5);
    float[] images = new float[n * len];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) r.nextGaussian();
    }
    float[] masks = new float[n * k * 16];
    for (int i = 0; i < masks.length; i++) {
      masks[i] = r.nextBoolean() ? 1f : (float) r.nextDouble();
    }
    Objective.Batch batch = new Objective.Batch(images, n, size, size, new int[] {0, 1});
    float[] plain = batch.masked(masks, k, 4, 4);
    float[] masked = batch.masked(masks, k, 4, 4, (i, s) -> i != s);
    for (int i = 0; i < n; i++) {
      float[] blurred = io.maskserve.trainer.metrics.DeletionInsertion.blur(
          java.util.Arrays.copyOfRange(images, i * len, (i + 1) * len), size, size);
      for (int s = 0; s < k; s++) {
        int j = i * k + s;
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
              int q = c * size * size + y * size + x;
              float m = masks[j * 16 + (y / 2) * 4 + x / 2];
              float expected = images[i * len + q] * m + (i != s ? blurred[q] * (1 - m) : 0f);
              assertEquals(expected, masked[j * len + q], 1e-5, "image " + i + " sample " + s);
            }
          }
        }
      }
    }
    assertFalse(java.util.Arrays.equals(plain, masked));
  }

  @Test
  void leaveOneOutSubtractsTheOtherSamplesMean() {
    float[] adv = Reinforce.leaveOneOut(new float[] {1, 2, 6, 10, 10, 10}, 2, 3);
    assertArrayEquals(new float[] {1 - 4f, 2 - 3.5f, 6 - 1.5f, 0, 0, 0}, adv, 1e-6f);
  }

  @Test
  void cellSlopesSumInputTimesGradientOverEachCell() {
    // 2x2 image, one cell per image: slope = Σ x·g over 3 channels and 4 pixels.
    float[] x = new float[12];
    float[] g = new float[12];
    double expected = 0;
    for (int i = 0; i < 12; i++) {
      x[i] = i - 5;
      g[i] = 0.5f * i;
      expected += x[i] * g[i];
    }
    float[] out = new float[1];
    Reinforce.cellSlopes(x, 0, g, 0, 2, 2, 1, 1, out, 0);
    assertEquals(expected, out[0], 1e-4);
  }

  @Test
  void cellMeansAverageEachCellsPixels() {
    // Two 4x4 maps on a 2x2 grid: the second one all 2.
    float[] maps = {
        1, 1, 0, 0,
        1, 0, 0, 0,
        0.5f, 0.5f, 1, 1,
        0.5f, 0.5f, 1, 0,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    assertArrayEquals(new float[] {0.75f, 0f, 0.5f, 0.75f, 2, 2, 2, 2}, Masks.cellMeans(maps, 2, 4, 4, 2, 2), 1e-7f);
  }

  @Test
  void paperPseudoLabelsNormaliseByThe99thPercentileAndSmooth() {
    int hh = 10;
    int ww = 10;
    float[] grad = new float[3 * hh * ww];
    // A 4x4 salient block (gradient 1 in channel 2) plus one outlier pixel of 100.
    for (int y = 2; y < 6; y++) {
      for (int x = 2; x < 6; x++) {
        grad[2 * hh * ww + y * ww + x] = -1f;
      }
    }
    grad[9 * ww + 9] = 100f;
    float[] g = Paper.saliency(grad, 0, hh, ww, hh, ww);
    assertEquals(1f, g[2 * ww + 2], 1e-6, "block reaches the percentile: 1");
    assertEquals(1f, g[9 * ww + 9], 1e-6, "the outlier is clipped to 1");
    assertEquals(0f, g[0], 1e-6);
    boolean[] s = Paper.salient(g, hh, ww);
    assertTrue(s[3 * ww + 3], "inside the block");
    assertFalse(s[9 * ww + 9], "an isolated pixel is smoothed away");
    assertFalse(s[0]);
  }
}
