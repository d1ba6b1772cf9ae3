package io.maskserve.server.batching;

import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Schedules explanations onto the inference workers, between the protocol layer and the {@link
 * io.maskserve.server.pipeline.ExplanationPipeline} (the role of DJL Serving's workload manager).
 * Implementations bound the work they accept and fail the future with an {@link
 * io.maskserve.server.pipeline.ExplainException} (RESOURCE_EXHAUSTED) rather than queue without
 * limit; they may merge concurrent requests into larger inference batches.
 */
public interface Batcher extends AutoCloseable {

  /**
   * Accepts {@code query} for execution. Never blocks; the future completes with the result (its
   * timings include the time spent queued) or the failure.
   */
  CompletableFuture<ExplanationResult> submit(ExplainQuery query);

  /** Stops accepting work; queued work still runs. */
  void shutdown();

  /** Waits up to {@code timeout} for accepted work to finish; true if it did. */
  boolean awaitTermination(Duration timeout) throws InterruptedException;

  /** Stops accepting work and abandons what has not started. */
  @Override
  void close();
}
