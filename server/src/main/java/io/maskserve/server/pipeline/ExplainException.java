package io.maskserve.server.pipeline;

import java.util.Objects;

/**
 * An explanation failed for a reason the caller can act on. The protocol layer maps {@link
 * Reason} one-to-one onto a status code.
 */
public class ExplainException extends RuntimeException {

  /** Why the explanation failed. */
  public enum Reason {
    /** The request is invalid whatever the server's limits (bad target class, bad threshold). */
    INVALID_ARGUMENT,
    /** The model cannot explain yet (e.g. no generator). */
    FAILED_PRECONDITION,
    /** A configured limit was exceeded (samples, queue); the message names the limit. */
    RESOURCE_EXHAUSTED,
    /** The request's deadline passed before the explanation finished. */
    DEADLINE_EXCEEDED,
    /** The server is shutting down. */
    UNAVAILABLE,
    /** An unexpected failure (e.g. the model produced an output of the wrong shape). */
    INTERNAL
  }

  private final Reason reason;

  /** A failure with a message fit for the client. */
  public ExplainException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** A failure with a message fit for the client and its cause. */
  public ExplainException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why it failed. */
  public Reason reason() {
    return reason;
  }
}
