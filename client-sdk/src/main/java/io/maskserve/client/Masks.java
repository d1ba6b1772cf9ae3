package io.maskserve.client;

import com.google.protobuf.ByteString;
import io.maskserve.v1.Mask;

/**
 * Reads and writes the bit packing of {@link Mask#getBits()}: {@code height*width} bits, row-major,
 * MSB first, so pixel {@code i = y*width + x} is bit {@code 7 - i % 8} of byte {@code i / 8}; 1 =
 * pixel kept, 0 = pixel removed. The last byte is padded with zero bits.
 */
public final class Masks {

  private Masks() {}

  /**
   * The mask as {@code [height][width]} booleans, {@code true} = kept.
   *
   * @throws IllegalArgumentException if the size is invalid or {@code bits} is too short
   */
  public static boolean[][] unpack(Mask mask) {
    int h = mask.getHeight();
    int w = mask.getWidth();
    ByteString bits = checked(mask);
    boolean[][] out = new boolean[h][w];
    int i = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++, i++) {
        out[y][x] = ((bits.byteAt(i >>> 3) >>> (7 - (i & 7))) & 1) != 0;
      }
    }
    return out;
  }

  /** Number of kept pixels. */
  public static long countKept(Mask mask) {
    ByteString bits = checked(mask);
    long n = (long) mask.getHeight() * mask.getWidth();
    long kept = 0;
    int full = (int) (n >>> 3);
    for (int b = 0; b < full; b++) {
      kept += Integer.bitCount(bits.byteAt(b) & 0xff);
    }
    int rest = (int) (n & 7);
    if (rest > 0) {
      kept += Integer.bitCount((bits.byteAt(full) & 0xff) >>> (8 - rest));
    }
    return kept;
  }

  /** Fraction of kept pixels computed from the bits (compare with {@code keep_fraction}). */
  public static double keepFraction(Mask mask) {
    long n = (long) mask.getHeight() * mask.getWidth();
    return n == 0 ? 0.0 : (double) countKept(mask) / n;
  }

  /**
   * Packs {@code [height][width]} booleans into a {@link Mask} with height, width, bits and
   * keep_fraction set (target_probability left 0).
   */
  public static Mask pack(boolean[][] kept) {
    int h = kept.length;
    int w = h == 0 ? 0 : kept[0].length;
    if (h == 0 || w == 0) {
      throw new IllegalArgumentException("mask must not be empty");
    }
    byte[] bits = new byte[(h * w + 7) / 8];
    int i = 0;
    long count = 0;
    for (boolean[] row : kept) {
      if (row.length != w) {
        throw new IllegalArgumentException("rows must all have width " + w);
      }
      for (boolean k : row) {
        if (k) {
          bits[i >>> 3] |= (byte) (1 << (7 - (i & 7)));
          count++;
        }
        i++;
      }
    }
    return Mask.newBuilder()
        .setHeight(h)
        .setWidth(w)
        .setBits(ByteString.copyFrom(bits))
        .setKeepFraction((float) ((double) count / ((long) h * w)))
        .build();
  }

  private static ByteString checked(Mask mask) {
    int h = mask.getHeight();
    int w = mask.getWidth();
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException("mask size must be positive, got " + h + "x" + w);
    }
    long needed = ((long) h * w + 7) / 8;
    if (mask.getBits().size() < needed) {
      throw new IllegalArgumentException(
          "mask " + h + "x" + w + " needs " + needed + " bytes of bits, got " + mask.getBits().size());
    }
    return mask.getBits();
  }
}
