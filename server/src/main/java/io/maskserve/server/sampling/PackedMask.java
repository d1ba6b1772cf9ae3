package io.maskserve.server.sampling;

import java.util.Objects;

/**
 * A binary mask packed 8 pixels per byte: row-major, most significant bit first, so pixel {@code
 * i = y * width + x} is bit {@code 7 - i % 8} of byte {@code i / 8}; trailing bits of the last
 * byte are 0. This is the wire layout of {@code maskserve.v1.Mask.bits}.
 *
 * @param height mask height
 * @param width mask width
 * @param bits {@code ceil(height * width / 8)} bytes
 * @param keepFraction fraction of pixels that are 1 (kept)
 */
public record PackedMask(int height, int width, byte[] bits, float keepFraction) {

  public PackedMask {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("mask size must be positive, got " + height + "x" + width);
    }
    Objects.requireNonNull(bits, "bits");
    if (bits.length != byteLength(height * width)) {
      throw new IllegalArgumentException(
          "a " + height + "x" + width + " mask needs " + byteLength(height * width) + " bytes, got " + bits.length);
    }
    bits = bits.clone();
  }

  /** Bytes needed for {@code pixels} bits. */
  public static int byteLength(int pixels) {
    return (pixels + 7) >>> 3;
  }

  /** Packs {@code keep} (one boolean per pixel, row-major). */
  public static PackedMask pack(int height, int width, boolean[] keep) {
    if (keep.length != height * width) {
      throw new IllegalArgumentException("expected " + height * width + " pixels, got " + keep.length);
    }
    byte[] bits = new byte[byteLength(keep.length)];
    int kept = 0;
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        bits[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        kept++;
      }
    }
    return new PackedMask(height, width, bits, (float) kept / keep.length);
  }

  @Override
  public byte[] bits() {
    return bits.clone();
  }

  /** Whether pixel {@code i} (row-major) is kept. */
  public boolean kept(int i) {
    return (bits[i >>> 3] & (0x80 >>> (i & 7))) != 0;
  }

  /**
   * Copies the kept pixels of {@code image} ({@code [C,H,W]}, this mask's H and W) into {@code out}
   * at {@code offset}, every channel; removed pixels of {@code out} are left as they are (0 in a
   * fresh array: the dataset mean in normalised space, how the classifier scores a mask).
   */
  public void copyKept(float[] image, float[] out, int offset) {
    int plane = height * width;
    int channels = image.length / plane;
    for (int i = 0; i < plane; i++) {
      if (kept(i)) {
        for (int c = 0; c < channels; c++) {
          out[offset + c * plane + i] = image[c * plane + i];
        }
      }
    }
  }

  /** Unpacks into one boolean per pixel, row-major. */
  public boolean[] unpack() {
    boolean[] keep = new boolean[height * width];
    for (int i = 0; i < keep.length; i++) {
      keep[i] = kept(i);
    }
    return keep;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackedMask m
        && m.height == height
        && m.width == width
        && java.util.Arrays.equals(m.bits, bits);
  }

  @Override
  public int hashCode() {
    return (31 * height + width) * 31 + java.util.Arrays.hashCode(bits);
  }

  @Override
  public String toString() {
    return "PackedMask[" + height + "x" + width + ", keep=" + keepFraction + "]";
  }
}
