package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maskserve.v1.InputRegion;
import org.junit.jupiter.api.Test;

class InputRegionsTest {

  /** A 300x200 photo, centre-cropped to a 4x4 input: the crop covers x in [50,250), all of y. */
  static final InputRegion CROP = InputRegion.newBuilder().setOriginalWidth(300).setOriginalHeight(200)
      .setX0(50).setY0(0).setX1(250).setY1(200).setInputWidth(4).setInputHeight(4).build();

  @Test
  void pointsGoBackAndForth() {
    double[] p = InputRegions.toOriginal(CROP, 0.5, 3.5);
    assertEquals(75.0, p[0], 1e-9);
    assertEquals(175.0, p[1], 1e-9);
    double[] q = InputRegions.toInput(CROP, p[0], p[1]);
    assertEquals(0.5, q[0], 1e-9);
    assertEquals(3.5, q[1], 1e-9);
  }

  @Test
  void aMapIsLaidOverTheOriginalWithTheCroppedBordersOutside() {
    float[][] map = new float[4][4];
    for (int v = 0; v < 4; v++) {
      for (int u = 0; u < 4; u++) {
        map[v][u] = 10 * v + u;
      }
    }
    float[][] o = InputRegions.mapToOriginal(CROP, map, -1f);
    assertEquals(200, o.length);
    assertEquals(300, o[0].length);
    assertEquals(-1f, o[0][0]); // left of the crop
    assertEquals(-1f, o[199][299]); // right of the crop
    assertEquals(0f, o[0][50]); // first input cell starts at x = 50
    assertEquals(1f, o[0][100]); // each cell is 50 px wide
    assertEquals(33f, o[199][249]);
    assertThrows(IllegalArgumentException.class, () -> InputRegions.mapToOriginal(CROP, new float[2][2], 0f));
    assertThrows(IllegalArgumentException.class,
        () -> InputRegions.mapToOriginal(InputRegion.getDefaultInstance(), map, 0f));
  }
}
