package io.maskserve.server.batching;

import io.maskserve.server.pipeline.ExplainException;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.Explainer;
import io.maskserve.server.pipeline.ExplanationResult;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simple {@link Batcher}: one explanation per pipeline call, run by a fixed pool of workers.
 * Each model may have at most {@code maxQueuePerModel} explanations queued or running; beyond that
 * {@link #submit} fails at once with RESOURCE_EXHAUSTED, so a burst for one model cannot grow
 * memory without bound or starve the others of queue space.
 */
public final class WorkQueueBatcher implements Batcher {

  private final Explainer pipeline;
  private final int maxQueuePerModel;
  private final ThreadPoolExecutor workers;
  // model name -> explanations queued or running; entries vanish at 0 so odd names cannot leak.
  private final ConcurrentHashMap<String, Integer> pending = new ConcurrentHashMap<>();

  /**
   * @param pipeline what runs an explanation (normally {@code ExplanationPipeline::explain})
   * @param workerThreads inference workers (each runs one explanation at a time)
   * @param maxQueuePerModel most explanations queued or running per model
   */
  public WorkQueueBatcher(Explainer pipeline, int workerThreads, int maxQueuePerModel) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    if (workerThreads < 1 || maxQueuePerModel < 1) {
      throw new IllegalArgumentException("workerThreads and maxQueuePerModel must be >= 1");
    }
    this.maxQueuePerModel = maxQueuePerModel;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "maskserve-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    // Unbounded queue: the per-model counters bound it to (models x maxQueuePerModel).
    this.workers = new ThreadPoolExecutor(
        workerThreads, workerThreads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
  }

  @Override
  public CompletableFuture<ExplanationResult> submit(ExplainQuery query) {
    CompletableFuture<ExplanationResult> future = new CompletableFuture<>();
    String model = query.model();
    if (!tryReserve(model)) {
      future.completeExceptionally(new ExplainException(
          ExplainException.Reason.RESOURCE_EXHAUSTED,
          "model '" + model + "' already has " + maxQueuePerModel
              + " requests queued or running (--max-queue); retry later"));
      return future;
    }
    try {
      workers.execute(new Task(query, future, System.nanoTime()));
    } catch (RejectedExecutionException e) {
      release(model);
      future.completeExceptionally(shuttingDown());
    }
    return future;
  }

  private static ExplainException shuttingDown() {
    return new ExplainException(ExplainException.Reason.UNAVAILABLE, "server is shutting down");
  }

  /** One accepted explanation; a class (not a lambda) so that {@link #close} can fail it. */
  private final class Task implements Runnable {
    final ExplainQuery query;
    final CompletableFuture<ExplanationResult> future;
    final long enqueuedNanos;

    Task(ExplainQuery query, CompletableFuture<ExplanationResult> future, long enqueuedNanos) {
      this.query = query;
      this.future = future;
      this.enqueuedNanos = enqueuedNanos;
    }

    @Override
    public void run() {
      try {
        long queuedMicros = (System.nanoTime() - enqueuedNanos) / 1_000;
        if (query.deadline().isPresent()) {
          query.deadline().get().check("a worker was free");
        }
        ExplanationResult r = pipeline.explain(query);
        future.complete(r.withTimings(r.timings().withQueue(queuedMicros)));
      } catch (Throwable t) {
        future.completeExceptionally(t);
      } finally {
        release(query.model());
      }
    }
  }

  private boolean tryReserve(String model) {
    boolean[] ok = {false};
    pending.compute(model, (k, v) -> {
      int n = v == null ? 0 : v;
      if (n >= maxQueuePerModel) {
        return v;
      }
      ok[0] = true;
      return n + 1;
    });
    return ok[0];
  }

  private void release(String model) {
    pending.computeIfPresent(model, (k, v) -> v <= 1 ? null : v - 1);
  }

  /** Explanations queued or running for {@code model} (for tests and metrics). */
  public int pending(String model) {
    return pending.getOrDefault(model, 0);
  }

  @Override
  public void shutdown() {
    workers.shutdown();
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    for (Runnable r : workers.shutdownNow()) {
      if (r instanceof Task t) {
        release(t.query.model());
        t.future.completeExceptionally(shuttingDown());
      }
    }
  }
}
