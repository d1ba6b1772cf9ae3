package io.maskserve.server.grpc;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.maskserve.server.pipeline.ExplainException;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.preprocess.ImageTooLargeException;
import io.maskserve.zoo.preprocess.InvalidInputException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps domain exceptions onto gRPC statuses, one rule for the whole server:
 *
 * <ul>
 *   <li>INVALID_ARGUMENT: the request is wrong whatever the server's limits (corrupt or
 *       undecodable image, tensor of the wrong shape, target class out of range, bad name,
 *       invalid ONNX file, checksum mismatch);
 *   <li>RESOURCE_EXHAUSTED: the request exceeds a limit the operator configured (image pixels,
 *       encoded bytes, num_samples, RISE masks, SmoothGrad samples, IG steps, occlusion windows,
 *       queue length, upload size) — the same code gRPC itself uses
 *       for an oversized message; the message names the limit;
 *   <li>NOT_FOUND: unknown model or version (the message lists what exists);
 *   <li>FAILED_PRECONDITION: the model has no generator yet, or cannot run the requested baseline
 *       method (a classifier autodiff cannot differentiate, named op and node; no convolution for
 *       Grad-CAM);
 *   <li>ALREADY_EXISTS, DEADLINE_EXCEEDED, UNAVAILABLE (shutting down) as named;
 *   <li>INTERNAL: anything unexpected (logged with its stack trace).
 * </ul>
 */
public final class StatusMapper {

  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  /** The status for {@code t} (unwrapping completion and execution wrappers). */
  public Status toStatus(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof StatusRuntimeException s) {
      return s.getStatus();
    }
    if (e instanceof StatusException s) {
      return s.getStatus();
    }
    if (e instanceof ExplainException x) {
      Status.Code code = switch (x.reason()) {
        case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
        case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
        case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
        case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
        case UNAVAILABLE -> Status.Code.UNAVAILABLE;
        case INTERNAL -> Status.Code.INTERNAL;
      };
      return logged(Status.fromCode(code).withDescription(x.getMessage()), x);
    }
    if (e instanceof ZooException z) {
      Status.Code code = switch (z.reason()) {
        case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
        case NOT_FOUND -> Status.Code.NOT_FOUND;
        case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
        case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
        case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
        case INTERNAL -> Status.Code.INTERNAL;
      };
      return logged(Status.fromCode(code).withDescription(z.getMessage()), z);
    }
    // The subclass first: exceeding a decode limit is a configured limit, not a bad image.
    if (e instanceof ImageTooLargeException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
    }
    if (e instanceof InvalidInputException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    return logged(Status.INTERNAL.withDescription("internal error: " + e), e);
  }

  /** The status as a {@code google.rpc.Status} (code number and message), for streamed errors. */
  public com.google.rpc.Status toRpcStatus(Throwable t) {
    Status s = toStatus(t);
    return com.google.rpc.Status.newBuilder()
        .setCode(s.getCode().value())
        .setMessage(s.getDescription() == null ? "" : s.getDescription())
        .build();
  }

  /** The status as an exception to pass to {@code StreamObserver.onError}. */
  public StatusRuntimeException toException(Throwable t) {
    return toStatus(t).asRuntimeException();
  }

  private static Status logged(Status s, Throwable e) {
    if (s.getCode() == Status.Code.INTERNAL) {
      log.warn("internal error: {}", e.toString(), e);
    } else {
      log.debug("request failed code={} message={}", s.getCode(), s.getDescription());
    }
    return s;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
