package io.maskserve.client;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Objects;

/**
 * A maskserve call failed. Every {@link MaskserveClient} method reports failures as this
 * unchecked exception; {@link #code()} is the gRPC status code the server sent (or the client
 * derived: {@code DEADLINE_EXCEEDED}, {@code UNAVAILABLE} when the server cannot be reached,
 * {@code CANCELLED}), {@link #description()} the server's message. The original {@link
 * StatusRuntimeException} is the {@linkplain #getCause() cause} when there was one.
 *
 * <p>Codes the server uses: {@code INVALID_ARGUMENT} (bad request, undecodable image, bad ONNX),
 * {@code NOT_FOUND} (unknown model or version), {@code ALREADY_EXISTS} (version or generator
 * registered twice), {@code FAILED_PRECONDITION} (e.g. the version has no generator), {@code
 * RESOURCE_EXHAUSTED} (size limits, overload), {@code DEADLINE_EXCEEDED}, {@code UNAVAILABLE}.
 */
public class MaskserveException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String description;

  public MaskserveException(Status.Code code, String description, Throwable cause) {
    super(code + (description == null || description.isEmpty() ? "" : ": " + description), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.description = description == null ? "" : description;
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The status description (the server's message), possibly empty. */
  public String description() {
    return description;
  }

  /** Wraps any failure of a call; a {@link MaskserveException} is returned unchanged. */
  public static MaskserveException from(Throwable t) {
    if (t instanceof MaskserveException m) {
      return m;
    }
    if (t instanceof StatusRuntimeException e) {
      return fromStatus(e.getStatus(), e);
    }
    if (t instanceof StatusException e) {
      return fromStatus(e.getStatus(), e);
    }
    Status s = Status.fromThrowable(t);
    if (s.getCode() != Status.Code.UNKNOWN) {
      return fromStatus(s, t);
    }
    return new MaskserveException(Status.Code.UNKNOWN, String.valueOf(t), t);
  }

  private static MaskserveException fromStatus(Status s, Throwable cause) {
    String d = s.getDescription();
    Throwable local = s.getCause(); // set for failures detected on this side, e.g. connection refused
    if (local != null) {
      String why = local.getMessage() != null ? local.getMessage() : local.toString();
      d = d == null || d.isEmpty() ? why : d + " (" + why + ")";
    }
    return new MaskserveException(s.getCode(), d, cause);
  }

  /**
   * The failure of one item of a stream ({@code ExplainResponse.error}), as an exception; useful
   * to rethrow it.
   */
  public static MaskserveException fromStatusProto(com.google.rpc.Status status) {
    Status.Code code = Status.fromCodeValue(status.getCode()).getCode();
    return new MaskserveException(code, status.getMessage(), null);
  }

}
