package io.maskserve.zoo.preprocess;

/**
 * The caller's image or tensor cannot be used; the message says why in terms the caller can act
 * on. Map to INVALID_ARGUMENT, except {@link ImageTooLargeException} (RESOURCE_EXHAUSTED or
 * INVALID_ARGUMENT, the server's choice).
 */
public class InvalidInputException extends RuntimeException {

  /** @param message what is wrong */
  public InvalidInputException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong
   * @param cause the underlying failure
   */
  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
