package io.maskserve.cli.evaluate;

import com.google.rpc.Status;
import io.maskserve.client.ExplainRequests;
import io.maskserve.client.MaskserveClient;
import io.maskserve.client.MaskserveException;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ModelInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Sends an evaluation's explain requests through the client: images as normalised tensors with an
 * explicit target class and version, so the server explains exactly what the local classifier
 * scores. Requests are unary calls, at most {@code concurrency} in flight for a baseline and
 * {@link #GENERATOR_WINDOW} (or more) for the generator, whose concurrent requests the server
 * merges into batches. Unary calls, not one ExplainStream, because a stream item's deadline is the
 * server's default counted from its arrival: a slow method's queued items would run out of time
 * waiting, while a unary call runs under the client's deadline ({@code --request-timeout}).
 */
final class Explainer {

  /** Generator requests in flight at once: enough for the server to fill its batches. */
  static final int GENERATOR_WINDOW = 16;

  /** Failures that no other request would escape: the run stops on them. */
  private static final Set<io.grpc.Status.Code> FATAL = Set.of(io.grpc.Status.Code.UNAVAILABLE,
      io.grpc.Status.Code.NOT_FOUND, io.grpc.Status.Code.UNIMPLEMENTED, io.grpc.Status.Code.UNAUTHENTICATED,
      io.grpc.Status.Code.PERMISSION_DENIED);

  /**
   * One explanation to ask for.
   *
   * @param tensor the normalised image {@code [3,H,W]}
   * @param target the class to explain
   */
  record Query(float[] tensor, int target) {}

  private final MaskserveClient client;
  private final ModelInfo model;
  private final RequestOptions options;
  private final int concurrency;

  /**
   * @param client a client whose deadline is the per-request timeout
   * @param concurrency baseline requests in flight at once
   */
  Explainer(MaskserveClient client, ModelInfo model, RequestOptions options, int concurrency) {
    this.client = Objects.requireNonNull(client, "client");
    this.model = Objects.requireNonNull(model, "model");
    this.options = Objects.requireNonNull(options, "options");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1");
    }
    this.concurrency = concurrency;
  }

  /**
   * The responses to {@code queries} with {@code method}, in query order. A request the server
   * refused or could not finish in time is a response with {@code error} set.
   *
   * @throws MaskserveException when the server is unreachable or does not know the model
   */
  List<ExplainResponse> explain(MethodName method, List<Query> queries) {
    int window = method == MethodName.GENERATOR ? Math.max(GENERATOR_WINDOW, concurrency) : concurrency;
    Semaphore permits = new Semaphore(window);
    List<CompletableFuture<ExplainResponse>> futures = new ArrayList<>(queries.size());
    try {
      for (Query q : queries) {
        permits.acquire();
        ExplainRequest.Builder b = ExplainRequests.fromTensor(model.getName(), q.tensor(), model.getInputHeight(),
            model.getInputWidth()).toBuilder()
            .setVersion(model.getVersion())
            .setTargetClass(q.target());
        CompletableFuture<ExplainResponse> f = client.explainAsync(options.apply(b, method).build());
        f.whenComplete((r, t) -> permits.release());
        futures.add(f);
      }
      List<ExplainResponse> out = new ArrayList<>(futures.size());
      for (CompletableFuture<ExplainResponse> f : futures) {
        out.add(result(f));
      }
      return out;
    } catch (InterruptedException e) {
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new MaskserveException(io.grpc.Status.Code.CANCELLED, "interrupted while explaining", e);
    }
  }

  private static ExplainResponse result(CompletableFuture<ExplainResponse> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof MaskserveException m && !FATAL.contains(m.code())) {
        return ExplainResponse.newBuilder()
            .setError(Status.newBuilder().setCode(m.code().value()).setMessage(m.getMessage()))
            .build();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    }
  }
}
