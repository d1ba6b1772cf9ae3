package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** TorchRay's pointing game: the strict tolerance boundary, ties, scaling, class averaging. */
class PointingGameTest {

  private static float[] peak(int h, int w, int x, int y) {
    float[] m = new float[h * w];
    m[y * w + x] = 1f;
    return m;
  }

  private static boolean[] pixel(int h, int w, int x, int y) {
    boolean[] t = new boolean[h * w];
    t[y * w + x] = true;
    return t;
  }

  @Test
  void toleranceIs15PxAt224ScaledWithTheShorterSide() {
    assertEquals(15.0, PointingGame.tolerance(224, 224), 1e-12);
    assertEquals(15.0 * 32 / 224, PointingGame.tolerance(32, 32), 1e-12);
    assertEquals(15.0 * 112 / 224, PointingGame.tolerance(112, 300), 1e-12);
  }

  @Test
  void anObjectPixelExactlyAtTheToleranceIsAMiss() {
    int s = 224;
    double tol = PointingGame.tolerance(s, s);
    float[] map = peak(s, s, 100, 100);
    assertTrue(PointingGame.hit(map, pixel(s, s, 114, 100), s, s, tol), "14 px: hit");
    assertFalse(PointingGame.hit(map, pixel(s, s, 115, 100), s, s, tol), "15 px: TorchRay's < rejects it");
    assertFalse(PointingGame.hit(map, pixel(s, s, 109, 112), s, s, tol), "9-12-15 triangle: exactly 15, a miss");
    assertTrue(PointingGame.hit(map, pixel(s, s, 108, 112), s, s, tol), "sqrt(208) < 15: hit");
  }

  @Test
  void theToleranceShrinksAt32Px() {
    int s = 32;
    double tol = PointingGame.tolerance(s, s); // 2.142857
    float[] map = peak(s, s, 10, 10);
    assertTrue(PointingGame.hit(map, pixel(s, s, 12, 10), s, s, tol));
    assertFalse(PointingGame.hit(map, pixel(s, s, 12, 11), s, s, tol), "sqrt(5) > 2.14");
    assertTrue(PointingGame.hit(map, pixel(s, s, 10, 10), s, s, tol), "on the object");
  }

  @Test
  void tiesPointAtTheFirstMaximumInRowMajorOrderAndNaNIsIgnored() {
    float[] map = {0f, 3f, Float.NaN, 3f};
    assertEquals(1, PointingGame.argmax(map));
    assertEquals(0, PointingGame.argmax(new float[] {Float.NaN, Float.NaN}));
    float[] flat = new float[64];
    assertTrue(PointingGame.hit(flat, pixel(8, 8, 0, 0), 8, 8, 0.5), "a constant map points at (0,0)");
  }

  @Test
  void boxesAreFilledAsTruthPixels() {
    boolean[] truth = Box.union(List.of(new Box(2.7, 1.2, 4.9, 3.0), new Box(6, 6, 8, 8)), 8, 8);
    // Columns 2..3, rows 1..2 of the first box; columns/rows 6..7 of the second.
    int count = 0;
    for (boolean b : truth) {
      count += b ? 1 : 0;
    }
    assertEquals(4 + 4, count);
    assertTrue(truth[1 * 8 + 2] && truth[2 * 8 + 3] && truth[7 * 8 + 7]);
    assertFalse(truth[3 * 8 + 2], "row 3 = floor(3.0) is the exclusive end");
    assertFalse(truth[1 * 8 + 4], "column 4 = floor(4.9) is the exclusive end");
  }

  @Test
  void accuracyIsAveragedOverTheClassesThatOccur() {
    int[] classes = {0, 0, 1, 5, 5, 5};
    boolean[] hits = {true, false, true, false, false, true};
    // class 0: 1/2, class 1: 1/1, class 5: 1/3
    assertEquals((0.5 + 1 + 1.0 / 3) / 3, PointingGame.classMeanAccuracy(classes, hits), 1e-12);
    assertEquals(1.0, PointingGame.classMeanAccuracy(classes, hits, new int[] {0, 0, 2}), 1e-12);
    assertTrue(Double.isNaN(PointingGame.classMeanAccuracy(classes, hits, new int[0])));
  }
}
