package io.maskserve.zoo.masks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RiseMasksTest {

  @Test
  void mirrorReflectsWithoutRepeatingTheEdge() {
    // numpy's "reflect": -1 -> 1, n -> n-2.
    assertEquals(1, RiseMasks.mirror(-1, 4));
    assertEquals(2, RiseMasks.mirror(4, 4));
    assertEquals(0, RiseMasks.mirror(0, 4));
    assertEquals(0, RiseMasks.mirror(-3, 1));
  }

  @Test
  void everyCellKeptGivesAnAllOnesMaskWhateverTheShift() {
    // grid 2 on 4x4: cells of 2, upsampled to 6x6, cropped at a shift. With p = 1 every cell is 1
    // and the mask is 1 everywhere whatever the shift.
    float[] m = new float[16];
    new RiseMasks(2, 1f, 4, 4, new SplittableRandom(1)).next(m, 0);
    for (float v : m) {
      assertEquals(1f, v, 0f);
    }
  }

  @Test
  void theSameStreamGivesTheSameMasksAndTheMeanIsP() {
    RiseMasks a = new RiseMasks(4, 0.3f, 8, 8, new SplittableRandom(5));
    RiseMasks b = new RiseMasks(4, 0.3f, 8, 8, new SplittableRandom(5));
    float[] x = new float[64];
    float[] y = new float[64];
    double sum = 0;
    for (int i = 0; i < 500; i++) {
      a.next(x, 0);
      b.next(y, 0);
      assertArrayEquals(x, y, 0f);
      for (float v : x) {
        sum += v;
      }
    }
    assertEquals(0.3, sum / (500 * 64), 0.03);
  }

  @Test
  void badParametersAreRefused() {
    SplittableRandom r = new SplittableRandom(1);
    assertThrows(IllegalArgumentException.class, () -> new RiseMasks(0, 0.5f, 8, 8, r));
    assertThrows(IllegalArgumentException.class, () -> new RiseMasks(4, 0f, 8, 8, r));
    assertThrows(IllegalArgumentException.class, () -> new RiseMasks(4, 0.5f, 0, 8, r));
  }
}
