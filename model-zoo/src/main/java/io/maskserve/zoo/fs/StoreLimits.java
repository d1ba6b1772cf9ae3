package io.maskserve.zoo.fs;

/**
 * Limits of a {@link FileSystemZooStore}.
 *
 * @param maxUploadBytes largest accepted ONNX file (classifier or generator), in bytes; larger
 *     uploads fail with RESOURCE_EXHAUSTED as soon as the limit is passed
 */
public record StoreLimits(long maxUploadBytes) {

  /** Default upload limit: 1 GiB. */
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;

  /** Validates that the limit is positive. */
  public StoreLimits {
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException("maxUploadBytes must be positive, got " + maxUploadBytes);
    }
  }

  /** The default limits (1 GiB uploads). */
  public static StoreLimits defaults() {
    return new StoreLimits(DEFAULT_MAX_UPLOAD_BYTES);
  }
}
