package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.maskserve.v1.Mask;
import org.junit.jupiter.api.Test;

class MasksTest {

  private static Mask mask(int h, int w, int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return Mask.newBuilder().setHeight(h).setWidth(w).setBits(ByteString.copyFrom(b)).build();
  }

  @Test
  void unpacksRowMajorMsbFirstWithWidthNotAMultipleOf8() {
    // 2x5: row 0 = 1 0 1 1 0, row 1 = 0 1 1 1 1 -> bits 1011 0011 | 11(000000)
    Mask m = mask(2, 5, 0b1011_0011, 0b1100_0000);
    boolean[][] kept = Masks.unpack(m);
    assertEquals(2, kept.length);
    assertArrayEquals(new boolean[] {true, false, true, true, false}, kept[0]);
    assertArrayEquals(new boolean[] {false, true, true, true, true}, kept[1]);
    assertEquals(7, Masks.countKept(m));
    assertEquals(0.7, Masks.keepFraction(m), 1e-12);
  }

  @Test
  void rowsCrossByteBoundaries() {
    // 3x3 = 9 bits: pixel 8 (row 2, col 2) is the MSB of byte 1.
    Mask m = mask(3, 3, 0b0000_0001, 0b1000_0000);
    boolean[][] kept = Masks.unpack(m);
    assertArrayEquals(new boolean[] {false, false, false}, kept[0]);
    assertArrayEquals(new boolean[] {false, false, false}, kept[1]);
    assertArrayEquals(new boolean[] {false, true, true}, kept[2]);
  }

  @Test
  void paddingBitsAreIgnored() {
    Mask m = mask(3, 3, 0xff, 0xff);
    assertEquals(9, Masks.countKept(m));
    assertEquals(1.0, Masks.keepFraction(m), 1e-12);
  }

  @Test
  void packIsTheInverseOfUnpack() {
    boolean[][] kept = {
      {true, false, true, true, false, false, true, true, true, false},
      {false, false, false, false, false, false, false, false, false, true},
      {true, true, true, true, true, true, true, true, true, true},
    };
    Mask m = Masks.pack(kept);
    assertEquals(3, m.getHeight());
    assertEquals(10, m.getWidth());
    assertEquals(4, m.getBits().size());
    assertEquals(0b1011_0011, m.getBits().byteAt(0) & 0xff);
    assertEquals(0b1000_0000, m.getBits().byteAt(1) & 0xff);
    assertEquals(0b0001_1111, m.getBits().byteAt(2) & 0xff);
    assertEquals(0b1111_1100, m.getBits().byteAt(3) & 0xff);
    assertEquals(17f / 30f, m.getKeepFraction(), 1e-6);
    boolean[][] back = Masks.unpack(m);
    for (int y = 0; y < kept.length; y++) {
      assertArrayEquals(kept[y], back[y]);
    }
  }

  @Test
  void rejectsShortBitsAndBadSizes() {
    assertThrows(IllegalArgumentException.class, () -> Masks.unpack(mask(3, 3, 0xff)));
    assertThrows(IllegalArgumentException.class, () -> Masks.unpack(mask(0, 3)));
    assertThrows(IllegalArgumentException.class, () -> Masks.countKept(mask(4, 4, 0xff)));
  }
}
