package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MapSimilarityTest {

  @Test
  void spearmanWithTiesByHand() {
    // y's ranks: 5->1, 6->2, 7->3.5, 8->5, 7->3.5; centred x = (-2,-1,0,1,2), y = (-2,-1,.5,2,.5):
    // sum dx*dy = 8, sum dx^2 = 10, sum dy^2 = 9.5, rho = 8 / sqrt(95).
    float[] x = {1, 2, 3, 4, 5};
    float[] y = {5, 6, 7, 8, 7};
    assertArrayEquals(new double[] {1, 2, 3.5, 5, 3.5}, MapSimilarity.ranks(y), 1e-12);
    assertEquals(8 / Math.sqrt(95), MapSimilarity.spearman(x, y), 1e-12);
  }

  @Test
  void spearmanIsRankBasedAndSigned() {
    float[] x = {0.1f, 0.5f, 0.2f, 0.9f};
    float[] monotone = {1f, 100f, 2f, 1000f};
    float[] reversed = {-0.1f, -0.5f, -0.2f, -0.9f};
    assertEquals(1.0, MapSimilarity.spearman(x, monotone), 1e-12);
    assertEquals(-1.0, MapSimilarity.spearman(x, reversed), 1e-12);
    assertEquals(1.0, MapSimilarity.spearman(x, MapSimilarity.abs(reversed)), 1e-12, "with absolute values");
    assertEquals(0.0, MapSimilarity.spearman(x, new float[] {3, 3, 3, 3}), 0, "constant map");
  }

  @Test
  void ssimOfOneWindowByTheFormula() {
    // A 7x7 map is one window: SSIM = ((2 mx my + C1)(2 cxy + C2)) / ((mx^2 + my^2 + C1)(vx + vy + C2))
    // with (N-1) covariances; both maps span [0,1] already, so normalisation leaves them as they are.
    Random r = new Random(4);
    float[] a = new float[49];
    float[] b = new float[49];
    for (int i = 0; i < 49; i++) {
      a[i] = r.nextFloat();
      b[i] = 0.5f * a[i] + 0.5f * r.nextFloat();
    }
    a[0] = 0;
    a[1] = 1;
    b[0] = 0;
    b[1] = 1;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < 49; i++) {
      mx += a[i] / 49.0;
      my += b[i] / 49.0;
    }
    double vx = 0;
    double vy = 0;
    double cxy = 0;
    for (int i = 0; i < 49; i++) {
      vx += (a[i] - mx) * (a[i] - mx) / 48.0;
      vy += (b[i] - my) * (b[i] - my) / 48.0;
      cxy += (a[i] - mx) * (b[i] - my) / 48.0;
    }
    double c1 = 1e-4;
    double c2 = 9e-4;
    double expected = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    assertEquals(expected, MapSimilarity.ssim(a, b, 7, 7), 1e-6);
  }

  @Test
  void ssimIsOneForTheSameMapUpToScaleAndLowForUnrelatedMaps() {
    Random r = new Random(9);
    float[] a = new float[32 * 32];
    float[] noise = new float[32 * 32];
    for (int i = 0; i < a.length; i++) {
      int y = i / 32;
      int x = i % 32;
      a[i] = (float) Math.exp(-((x - 12) * (x - 12) + (y - 20) * (y - 20)) / 40.0);
      noise[i] = r.nextFloat();
    }
    float[] scaled = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      scaled[i] = 5 * a[i] + 2;
    }
    assertEquals(1.0, MapSimilarity.ssim(a, scaled, 32, 32), 1e-9, "min-max normalisation removes scale and offset");
    double unrelated = MapSimilarity.ssim(a, noise, 32, 32);
    assertTrue(unrelated < 0.2, "a blob against noise: " + unrelated);
    assertThrows(IllegalArgumentException.class, () -> MapSimilarity.ssim(a, noise, 16, 16));
    assertThrows(IllegalArgumentException.class, () -> MapSimilarity.spearman(new float[] {Float.NaN}, new float[] {1}));
  }
}
