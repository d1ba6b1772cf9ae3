package io.maskserve.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HorizontalFlipsTest {

  @Test
  void mirrorsEveryRowOfEveryChannelOfTheChosenImagesOnly() {
    // Two images, 2 channels, 2 rows, 3 columns: values encode (image, channel, row, column).
    float[] batch = new float[2 * 2 * 2 * 3];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = i;
    }
    HorizontalFlips.apply(batch, 2, 2, 3, new boolean[] {false, true});
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, // image 0 untouched
        14, 13, 12, 17, 16, 15, 20, 19, 18, 23, 22, 21}, batch);
  }

  @Test
  void evenWidthsAndTwoFlipsRestoreTheBatch() {
    float[] batch = new float[3 * 4 * 4];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < batch.length; i++) {
      batch[i] = (float) r.nextGaussian();
    }
    float[] original = batch.clone();
    HorizontalFlips.apply(batch, 3, 4, 4, new boolean[] {true});
    assertTrue(batch[0] == original[3] && batch[3] == original[0] && batch[1] == original[2]);
    HorizontalFlips.apply(batch, 3, 4, 4, new boolean[] {true});
    assertArrayEquals(original, batch);
  }

  @Test
  void drawsAreSeededAndFlipAboutHalf() {
    boolean[] a = HorizontalFlips.draw(new SplittableRandom(7), 2000);
    assertArrayEquals(a, HorizontalFlips.draw(new SplittableRandom(7), 2000));
    int flipped = 0;
    for (boolean f : a) {
      flipped += f ? 1 : 0;
    }
    assertTrue(flipped > 900 && flipped < 1100, "flipped " + flipped + " of 2000");
  }

  @Test
  void aBatchOfTheWrongSizeIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> HorizontalFlips.apply(new float[10], 3, 2, 2, new boolean[] {true}));
  }
}
