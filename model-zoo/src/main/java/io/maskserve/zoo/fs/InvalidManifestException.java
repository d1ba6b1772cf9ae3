package io.maskserve.zoo.fs;

import io.maskserve.zoo.ZooException;

/**
 * A {@code manifest.json} could not be parsed or does not describe a valid model version. Reason
 * INVALID_ARGUMENT; the message names the offending field. The store never lets it escape: it
 * skips (and logs) versions whose manifest is corrupt.
 */
public class InvalidManifestException extends ZooException {

  /** @param message what is wrong */
  public InvalidManifestException(String message) {
    super(Reason.INVALID_ARGUMENT, message);
  }

  /**
   * @param message what is wrong
   * @param cause the underlying failure
   */
  public InvalidManifestException(String message, Throwable cause) {
    super(Reason.INVALID_ARGUMENT, message, cause);
  }
}
