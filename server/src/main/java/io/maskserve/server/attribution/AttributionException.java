package io.maskserve.server.attribution;

import java.util.Objects;

/**
 * An attribution method cannot run for a reason the caller can act on; the pipeline maps {@link
 * Reason} onto its own statuses.
 */
public final class AttributionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why the method cannot run. */
  public enum Reason {
    /** An option is out of range or names something that does not exist (the message names the field). */
    INVALID_ARGUMENT,
    /** An option exceeds a limit the operator configured (the message names the limit). */
    RESOURCE_EXHAUSTED,
    /** The model does not support the method (e.g. no convolution for Grad-CAM). */
    FAILED_PRECONDITION,
    /** Inference failed unexpectedly. */
    INTERNAL
  }

  private final Reason reason;

  /** A failure with a message fit for the client. */
  public AttributionException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** A failure with a message fit for the client and its cause. */
  public AttributionException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why it failed. */
  public Reason reason() {
    return reason;
  }
}
