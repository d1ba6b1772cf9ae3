package io.maskserve.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** CASME's localisation on hand-made 8x8 maps. */
class LocalisationErrorTest {

  static final int S = 8;

  /** 1 on a 3x3 blob at rows/columns 1..3 and on a 2x2 blob at rows/columns 6..7, 0 elsewhere. */
  private static float[] twoBlobs(float second) {
    float[] m = new float[S * S];
    for (int y = 1; y <= 3; y++) {
      for (int x = 1; x <= 3; x++) {
        m[y * S + x] = 1f;
      }
    }
    for (int y = 6; y <= 7; y++) {
      for (int x = 6; x <= 7; x++) {
        m[y * S + x] = second;
      }
    }
    return m;
  }

  private static int count(boolean[] b) {
    int n = 0;
    for (boolean v : b) {
      n += v ? 1 : 0;
    }
    return n;
  }

  @Test
  void casmeThresholdKeepsAboutTheMeanFractionOfPixels() {
    // mean = 13/64 = 0.203; k = 1 + floor(63 * 0.797 + 0.5) = 51: the 51st smallest is 0,
    // clamped to 1e-6, so both blobs (13 pixels) survive.
    assertEquals(13, count(LocalisationError.binarize(twoBlobs(1f), LocalisationError.Threshold.casmeMean())));
    // mean = (9 + 3.6)/64 = 0.197; k = 1 + floor(50.6 + 0.5) = 52: the 52nd smallest is 0.9,
    // and only values strictly above it (the 3x3 blob) survive.
    assertEquals(9, count(LocalisationError.binarize(twoBlobs(0.9f), LocalisationError.Threshold.casmeMean())));
    assertEquals(13, count(LocalisationError.binarize(twoBlobs(0.9f), LocalisationError.Threshold.value(0.5))));
    assertEquals(0, count(LocalisationError.binarize(twoBlobs(1f), LocalisationError.Threshold.value(1))));
    assertThrows(IllegalArgumentException.class,
        () -> LocalisationError.binarize(new float[] {2f}, LocalisationError.Threshold.casmeMean()));
  }

  @Test
  void theLargestFourConnectedComponentWins() {
    boolean[] m = LocalisationError.binarize(twoBlobs(1f), LocalisationError.Threshold.value(0.5));
    boolean[] largest = LocalisationError.largestComponent(m, S, S);
    assertEquals(9, count(largest));
    assertArrayEquals(new int[] {1, 1, 3, 3}, LocalisationError.boundingBox(largest, S, S));
    // Diagonal neighbours are separate components; of two equal ones the first in row-major order wins.
    boolean[] diagonal = new boolean[S * S];
    diagonal[0] = true;
    diagonal[S + 1] = true;
    boolean[] first = LocalisationError.largestComponent(diagonal, S, S);
    assertEquals(1, count(first));
    assertTrue(first[0]);
  }

  @Test
  void anImageIsLocalisedWhenAnyGroundTruthBoxHasIouAboveHalf() {
    Box far = new Box(5, 0, 8, 3); // columns 5..7, rows 0..2: disjoint from the blob
    Box near = new Box(1, 1, 5, 4); // columns 1..4, rows 1..3: IoU 9/12 with the 3x3 box
    LocalisationError.Threshold mean = LocalisationError.Threshold.casmeMean();
    LocalisationError.Result both = LocalisationError.evaluate(twoBlobs(1f), S, S, List.of(far, near), mean);
    assertTrue(both.localised());
    assertEquals(0.75, both.bestIou(), 1e-12);
    assertArrayEquals(new int[] {1, 1, 3, 3}, both.box());
    LocalisationError.Result farOnly = LocalisationError.evaluate(twoBlobs(1f), S, S, List.of(far), mean);
    assertFalse(farOnly.localised());
    assertEquals(0, farOnly.bestIou(), 1e-12);
    // IoU exactly 0.5 is not enough: the 3x3 box against columns 1..6 (18 px): 9/18.
    assertFalse(LocalisationError.evaluate(twoBlobs(1f), S, S, List.of(new Box(1, 1, 7, 4)), mean).localised());
  }

  @Test
  void anEmptyMapLocalisesNothing() {
    LocalisationError.Result r = LocalisationError.evaluate(new float[S * S], S, S, List.of(new Box(0, 0, 8, 8)),
        LocalisationError.Threshold.casmeMean());
    assertFalse(r.localised());
    assertNull(r.box());
  }

  @Test
  void iouCountsPixels() {
    assertEquals(1.0, LocalisationError.iou(new int[] {0, 0, 3, 3}, new int[] {0, 0, 4, 4}), 1e-12);
    assertEquals(4 / 28.0, LocalisationError.iou(new int[] {0, 0, 3, 3}, new int[] {2, 2, 6, 6}), 1e-12);
    assertEquals(0, LocalisationError.iou(new int[] {0, 0, 3, 3}, new int[] {2, 2, 2, 6}), 1e-12);
  }
}
