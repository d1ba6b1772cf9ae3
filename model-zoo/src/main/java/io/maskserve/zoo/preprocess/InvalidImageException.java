package io.maskserve.zoo.preprocess;

/** Image bytes are empty, of an unsupported format, corrupt or truncated. */
public class InvalidImageException extends InvalidInputException {

  /** @param message what is wrong */
  public InvalidImageException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong
   * @param cause the underlying failure
   */
  public InvalidImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
