package io.maskserve.server.batching;

import io.maskserve.server.pipeline.BatchExplainer;
import io.maskserve.server.pipeline.ExplainException;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.pipeline.Outcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Batcher} that merges concurrent queries for the same model and version into one
 * {@link BatchExplainer#explainBatch} call, so that their classifier, generator and scoring passes
 * share ONNX Runtime calls (as Triton's or DJL Serving's dynamic batchers do).
 *
 * <p>Queries wait in a queue per (model, requested version). A free worker takes the queue whose
 * oldest query has waited longest and runs up to {@code maxBatchSize} of its queries at once;
 * when fewer are queued it waits for more until the oldest has waited {@code maxBatchDelay}
 * (zero: never waits, batches form only from work that piled up while the workers were busy, so
 * light load pays no latency). As with {@link WorkQueueBatcher}, at most {@code maxQueuePerModel}
 * queries per model are queued or running; beyond that submissions fail with RESOURCE_EXHAUSTED.
 *
 * <p>Queries of baseline methods (RISE, SmoothGrad, ...) queue apart and run one per batch: each
 * already batches its own hundreds or thousands of rows, and a generator query merged with one
 * would wait for all of them.
 */
public final class DynamicBatcher implements Batcher {

  /** A queue: model, requested version, and whether it holds generator queries (merged) or baselines (alone). */
  private record Key(String model, String version, boolean generator) {
    int batchLimit(int maxBatchSize) {
      return generator ? maxBatchSize : 1;
    }
  }

  private record Pending(ExplainQuery query, CompletableFuture<ExplanationResult> future, long enqueuedNanos) {}

  private final BatchExplainer explainer;
  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final int maxQueuePerModel;
  private final List<Thread> workers = new ArrayList<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // Guarded by lock. Insertion-ordered so that equal ages resolve first-come first-served.
  private final Map<Key, ArrayDeque<Pending>> queues = new LinkedHashMap<>();
  private final Map<String, Integer> perModel = new HashMap<>();
  private boolean shutdown;

  /**
   * @param explainer runs a batch (normally the {@code ExplanationPipeline})
   * @param workerThreads batches run at once
   * @param maxBatchSize most queries in one batch
   * @param maxBatchDelay how long a partial batch may wait for more queries
   * @param maxQueuePerModel most queries queued or running per model
   */
  public DynamicBatcher(
      BatchExplainer explainer, int workerThreads, int maxBatchSize, Duration maxBatchDelay, int maxQueuePerModel) {
    this.explainer = Objects.requireNonNull(explainer, "explainer");
    if (workerThreads < 1 || maxBatchSize < 1 || maxQueuePerModel < 1) {
      throw new IllegalArgumentException("workerThreads, maxBatchSize and maxQueuePerModel must be >= 1");
    }
    if (maxBatchDelay.isNegative()) {
      throw new IllegalArgumentException("maxBatchDelay must be >= 0");
    }
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = maxBatchDelay.toNanos();
    this.maxQueuePerModel = maxQueuePerModel;
    for (int i = 0; i < workerThreads; i++) {
      Thread t = new Thread(this::work, "maskserve-batch-worker-" + (i + 1));
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  @Override
  public CompletableFuture<ExplanationResult> submit(ExplainQuery query) {
    CompletableFuture<ExplanationResult> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (shutdown) {
        future.completeExceptionally(shuttingDown());
        return future;
      }
      int n = perModel.getOrDefault(query.model(), 0);
      if (n >= maxQueuePerModel) {
        future.completeExceptionally(new ExplainException(
            ExplainException.Reason.RESOURCE_EXHAUSTED,
            "model '" + query.model() + "' already has " + maxQueuePerModel
                + " requests queued or running (--max-queue); retry later"));
        return future;
      }
      perModel.put(query.model(), n + 1);
      queues.computeIfAbsent(
              new Key(query.model(), query.version(), query.method().isGenerator()), k -> new ArrayDeque<>())
          .add(new Pending(query, future, System.nanoTime()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return future;
  }

  private void work() {
    try {
      for (;;) {
        Key key;
        List<Pending> batch = new ArrayList<>();
        lock.lock();
        try {
          for (;;) {
            key = oldest();
            if (key == null) {
              if (shutdown) {
                return;
              }
              changed.await();
              continue;
            }
            ArrayDeque<Pending> queue = queues.get(key);
            int limit = key.batchLimit(maxBatchSize);
            long wait = queue.peek().enqueuedNanos() + maxDelayNanos - System.nanoTime();
            if (queue.size() < limit && !shutdown && wait > 0) {
              changed.awaitNanos(wait);
              continue;
            }
            while (batch.size() < limit && !queue.isEmpty()) {
              batch.add(queue.poll());
            }
            if (queue.isEmpty()) {
              queues.remove(key);
            }
            break;
          }
        } finally {
          lock.unlock();
        }
        run(key, batch);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close(): abandon the queues
    }
  }

  /** The queue whose head has waited longest; null when all are empty. Under lock. */
  private Key oldest() {
    Key best = null;
    long bestTime = 0;
    for (Map.Entry<Key, ArrayDeque<Pending>> e : queues.entrySet()) {
      long t = e.getValue().peek().enqueuedNanos();
      if (best == null || t - bestTime < 0) {
        best = e.getKey();
        bestTime = t;
      }
    }
    return best;
  }

  private void run(Key key, List<Pending> batch) {
    // Callers are answered only after the batch's queue slots are released, so a caller that
    // submits again on completion is never counted against the limit twice.
    List<Runnable> answers = new ArrayList<>(batch.size());
    try {
      long start = System.nanoTime();
      List<Pending> runnable = new ArrayList<>(batch.size());
      for (Pending p : batch) {
        if (p.query().deadline().isPresent() && p.query().deadline().get().expired()) {
          answers.add(() -> p.future().completeExceptionally(new ExplainException(
              ExplainException.Reason.DEADLINE_EXCEEDED, "deadline exceeded before a worker was free")));
        } else {
          runnable.add(p);
        }
      }
      if (runnable.isEmpty()) {
        return;
      }
      List<Outcome> outcomes;
      try {
        outcomes = explainer.explainBatch(
            key.model(), key.version(), runnable.stream().map(Pending::query).toList());
      } catch (RuntimeException e) {
        runnable.forEach(p -> answers.add(() -> p.future().completeExceptionally(e)));
        return;
      }
      for (int i = 0; i < runnable.size(); i++) {
        Pending p = runnable.get(i);
        Outcome o = outcomes.get(i);
        if (o.error() != null) {
          answers.add(() -> p.future().completeExceptionally(o.error()));
        } else {
          long queued = (start - p.enqueuedNanos()) / 1_000;
          ExplanationResult r = o.result().withTimings(o.result().timings().withQueue(queued));
          answers.add(() -> p.future().complete(r));
        }
      }
    } catch (Throwable t) {
      answers.clear();
      batch.forEach(p -> answers.add(() -> p.future().completeExceptionally(t)));
    } finally {
      lock.lock();
      try {
        for (Pending p : batch) {
          perModel.computeIfPresent(p.query().model(), (k, v) -> v <= 1 ? null : v - 1);
        }
      } finally {
        lock.unlock();
      }
      answers.forEach(Runnable::run);
    }
  }

  /** Queries queued or running for {@code model} (for tests and metrics). */
  public int pending(String model) {
    lock.lock();
    try {
      return perModel.getOrDefault(model, 0);
    } finally {
      lock.unlock();
    }
  }

  private static ExplainException shuttingDown() {
    return new ExplainException(ExplainException.Reason.UNAVAILABLE, "server is shutting down");
  }

  @Override
  public void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    for (Thread t : workers) {
      long left = until - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    List<Pending> abandoned = new ArrayList<>();
    lock.lock();
    try {
      shutdown = true;
      for (ArrayDeque<Pending> q : queues.values()) {
        abandoned.addAll(q);
      }
      queues.clear();
      for (Pending p : abandoned) {
        perModel.computeIfPresent(p.query().model(), (k, v) -> v <= 1 ? null : v - 1);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    abandoned.forEach(p -> p.future().completeExceptionally(shuttingDown()));
    workers.forEach(Thread::interrupt);
  }
}
