package io.maskserve.server.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class PackedMaskTest {

  @Test
  void copyKeptCopiesEveryChannelOfTheKeptPixelsAtTheOffsetAndLeavesTheRest() {
    // 1x3 mask keeping pixels 0 and 2; a 2-channel image.
    PackedMask mask = PackedMask.pack(1, 3, new boolean[] {true, false, true});
    float[] image = {1, 2, 3, 4, 5, 6};
    float[] out = new float[8];
    out[0] = -1;
    out[3] = -9; // pixel 1 of channel 0 at offset 2: removed, so left as it was
    mask.copyKept(image, out, 2);
    assertArrayEquals(new float[] {-1, 0, 1, -9, 3, 4, 0, 6}, out);
  }
}
