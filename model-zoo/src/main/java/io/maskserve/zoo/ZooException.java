package io.maskserve.zoo;

/**
 * A zoo operation failed for a reason the caller can act on. The {@link Reason} maps one-to-one
 * onto a gRPC status code in the server.
 */
public class ZooException extends RuntimeException {

  /** Why the operation failed. */
  public enum Reason {
    /** The request or the uploaded file is invalid (bad name, bad ONNX, wrong shapes, checksum). */
    INVALID_ARGUMENT,
    /** The model or version does not exist. */
    NOT_FOUND,
    /** The version (or its generator) already exists. */
    ALREADY_EXISTS,
    /** The operation needs state that is not there (e.g. a generator for a missing classifier). */
    FAILED_PRECONDITION,
    /** A size limit was exceeded or the disk is full. */
    RESOURCE_EXHAUSTED,
    /** An unexpected I/O or runtime failure. */
    INTERNAL
  }

  private final Reason reason;

  public ZooException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ZooException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
