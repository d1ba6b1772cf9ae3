package io.maskserve.server.grpc;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.maskserve.server.batching.Batcher;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.pipeline.Deadline;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ExplainService: translates requests into {@link ExplainQuery}s for the {@link Batcher} and
 * results into responses. No domain logic lives here.
 */
public final class ExplainServiceImpl extends ExplainServiceGrpc.ExplainServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(ExplainServiceImpl.class);

  private final Batcher batcher;
  private final ExplainTranslator translator;
  private final StatusMapper statuses;
  private final ServerLimits limits;

  /** Creates the service over {@code batcher}; {@code limits} give the default deadline and stream window. */
  public ExplainServiceImpl(
      Batcher batcher, ExplainTranslator translator, StatusMapper statuses, ServerLimits limits) {
    this.batcher = Objects.requireNonNull(batcher, "batcher");
    this.translator = Objects.requireNonNull(translator, "translator");
    this.statuses = Objects.requireNonNull(statuses, "statuses");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public void explain(ExplainRequest request, StreamObserver<ExplainResponse> responseObserver) {
    ServerCallStreamObserver<ExplainResponse> out = (ServerCallStreamObserver<ExplainResponse>) responseObserver;
    ExplainQuery query;
    try {
      query = translator.toQuery(request, deadline());
    } catch (RuntimeException e) {
      out.onError(statuses.toException(e));
      return;
    }
    batcher.submit(query).whenComplete((result, error) -> {
      if (out.isCancelled()) {
        return;
      }
      try {
        if (error != null) {
          out.onError(statuses.toException(error));
        } else {
          out.onNext(translator.toResponse(request.getRequestId(), result));
          out.onCompleted();
        }
      } catch (RuntimeException e) {
        // The call was cancelled between the check and the send.
        log.debug("could not send explain response: {}", e.toString());
      }
    });
  }

  @Override
  public StreamObserver<ExplainRequest> explainStream(StreamObserver<ExplainResponse> responseObserver) {
    ServerCallStreamObserver<ExplainResponse> out = (ServerCallStreamObserver<ExplainResponse>) responseObserver;
    StreamSession session = new StreamSession(out, deadline(), limits.maxStreamInFlight());
    session.start();
    return session;
  }

  /**
   * The deadline of an explanation: the call's (gRPC propagates the client's), or the default
   * from the limits counted from now, whichever is earlier.
   */
  private Deadline deadline() {
    Deadline byDefault = Deadline.after(limits.defaultDeadline());
    io.grpc.Deadline call = Context.current().getDeadline();
    if (call == null) {
      return byDefault;
    }
    Deadline fromCall = Deadline.after(Duration.ofNanos(call.timeRemaining(TimeUnit.NANOSECONDS)));
    return fromCall.nanoTime() - byDefault.nanoTime() < 0 ? fromCall : byDefault;
  }

  /**
   * One ExplainStream call. Items run concurrently on the batcher, so responses may leave in a
   * different order than requests arrived (clients match them by request_id). Manual inbound flow
   * control keeps at most {@code window} items in flight, and no new item is requested while the
   * client is not reading responses (the outbound buffer is not ready), so a fast sender or a slow
   * reader cannot make the server buffer without bound.
   */
  private final class StreamSession implements StreamObserver<ExplainRequest> {
    private final ServerCallStreamObserver<ExplainResponse> out;
    private final Deadline callDeadline;
    private final int window;
    private final Object lock = new Object();
    // All guarded by lock.
    private int inFlight;
    private int owedRequests;
    private boolean halfClosed;
    private boolean done;

    StreamSession(ServerCallStreamObserver<ExplainResponse> out, Deadline callDeadline, int window) {
      this.out = out;
      this.callDeadline = callDeadline;
      this.window = window;
    }

    void start() {
      out.disableAutoRequest();
      out.setOnReadyHandler(this::onReady);
      out.setOnCancelHandler(() -> {
        synchronized (lock) {
          done = true;
        }
      });
      out.request(window);
    }

    @Override
    public void onNext(ExplainRequest request) {
      synchronized (lock) {
        if (done) {
          return;
        }
        inFlight++;
      }
      ExplainQuery query;
      try {
        // Each item gets its own default deadline, bounded by the call's.
        Deadline itemDefault = Deadline.after(limits.defaultDeadline());
        Deadline d = callDeadline.nanoTime() - itemDefault.nanoTime() < 0 ? callDeadline : itemDefault;
        query = translator.toQuery(request, d);
      } catch (RuntimeException e) {
        complete(translator.toErrorResponse(request.getRequestId(), statuses.toRpcStatus(e)));
        return;
      }
      batcher.submit(query).whenComplete((result, error) -> complete(
          error != null
              ? translator.toErrorResponse(request.getRequestId(), statuses.toRpcStatus(error))
              : translator.toResponse(request.getRequestId(), result)));
    }

    private void complete(ExplainResponse response) {
      synchronized (lock) {
        inFlight--;
        if (done) {
          return;
        }
        try {
          out.onNext(response);
        } catch (RuntimeException e) {
          done = true;
          log.debug("could not send stream response: {}", e.toString());
          return;
        }
        if (!halfClosed) {
          // Replace the finished item, unless the client is not reading: then wait for onReady.
          if (out.isReady()) {
            out.request(1);
          } else {
            owedRequests++;
          }
        }
        maybeFinish();
      }
    }

    private void onReady() {
      synchronized (lock) {
        if (!done && !halfClosed && owedRequests > 0) {
          int n = owedRequests;
          owedRequests = 0;
          out.request(n);
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (lock) {
        done = true;
      }
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        halfClosed = true;
        maybeFinish();
      }
    }

    private void maybeFinish() {
      if (halfClosed && inFlight == 0 && !done) {
        done = true;
        out.onCompleted();
      }
    }
  }
}
