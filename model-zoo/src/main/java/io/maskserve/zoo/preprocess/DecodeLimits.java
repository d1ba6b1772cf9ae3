package io.maskserve.zoo.preprocess;

/**
 * Limits that keep image decoding bounded in memory and time.
 *
 * @param maxEncodedBytes largest accepted encoded image (file bytes)
 * @param maxPixels largest accepted width x height, checked from the header before decoding
 * @param maxSide largest accepted width or height
 */
public record DecodeLimits(long maxEncodedBytes, long maxPixels, int maxSide) {

  /** Default {@link #maxEncodedBytes}: 16 MiB. */
  public static final long DEFAULT_MAX_ENCODED_BYTES = 16L << 20;
  /** Default {@link #maxPixels}: 40 million. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
  /** Default {@link #maxSide}: 16384. */
  public static final int DEFAULT_MAX_SIDE = 16384;

  /** Validates that every limit is positive. */
  public DecodeLimits {
    if (maxEncodedBytes < 1 || maxPixels < 1 || maxSide < 1) {
      throw new IllegalArgumentException("decode limits must be positive");
    }
  }

  /** The default limits. */
  public static DecodeLimits defaults() {
    return new DecodeLimits(DEFAULT_MAX_ENCODED_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE);
  }
}
