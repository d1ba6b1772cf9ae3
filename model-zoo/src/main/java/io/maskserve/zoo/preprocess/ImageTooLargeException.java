package io.maskserve.zoo.preprocess;

/**
 * An image exceeds the {@link DecodeLimits} (encoded bytes, pixels or side), detected from its
 * header before any pixel is decoded.
 */
public class ImageTooLargeException extends InvalidInputException {

  /** @param message the size found and the limit */
  public ImageTooLargeException(String message) {
    super(message);
  }
}
