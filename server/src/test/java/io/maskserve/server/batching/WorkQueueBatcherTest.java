package io.maskserve.server.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.pipeline.Deadline;
import io.maskserve.server.pipeline.ExplainException;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.pipeline.ImageInput;
import io.maskserve.server.sampling.PackedMask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkQueueBatcherTest {

  private static ExplanationResult fakeResult(String model) {
    PackedMask m = PackedMask.pack(1, 1, new boolean[] {true});
    return new ExplanationResult(
        model, "1", List.of(), 0, "a", 1f, new ExplanationResult.ProbabilityMap(1, 1, new float[] {1f}), 0.5f,
        new ExplanationResult.ScoredMask(m, 1f), List.of(), 0L, null,
        new ExplanationResult.StageTimings(0, 0, 0, 0, 0, 0, 0, 10));
  }

  private static ExplainQuery query(String model) {
    return ExplainQuery.of(model, new ImageInput.Encoded(new byte[1]));
  }

  private static Throwable cause(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void rejectsBeyondThePerModelQueueAndRecovers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    WorkQueueBatcher batcher = new WorkQueueBatcher(q -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return fakeResult(q.model());
    }, 1, 3);
    try {
      List<CompletableFuture<ExplanationResult>> accepted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        accepted.add(batcher.submit(query("a")));
      }
      CompletableFuture<ExplanationResult> rejected = batcher.submit(query("a"));
      ExplainException e = assertInstanceOf(ExplainException.class, cause(rejected));
      assertEquals(ExplainException.Reason.RESOURCE_EXHAUSTED, e.reason());
      assertTrue(e.getMessage().contains("3"), e.getMessage());
      // Another model has its own queue.
      CompletableFuture<ExplanationResult> other = batcher.submit(query("b"));
      release.countDown();
      for (CompletableFuture<ExplanationResult> f : accepted) {
        assertEquals("a", f.get(10, TimeUnit.SECONDS).model());
      }
      assertEquals("b", other.get(10, TimeUnit.SECONDS).model());
      assertEquals(0, batcher.pending("a"));
      assertEquals("a", batcher.submit(query("a")).get(10, TimeUnit.SECONDS).model());
    } finally {
      batcher.close();
    }
  }

  @Test
  void addsQueueTimeAndFailsExpiredWorkWithoutRunningIt() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    int[] runs = {0};
    WorkQueueBatcher batcher = new WorkQueueBatcher(q -> {
      synchronized (runs) {
        runs[0]++;
      }
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return fakeResult(q.model());
    }, 1, 10);
    try {
      CompletableFuture<ExplanationResult> first = batcher.submit(query("a"));
      started.await();
      CompletableFuture<ExplanationResult> queued = batcher.submit(query("a"));
      CompletableFuture<ExplanationResult> expired =
          batcher.submit(query("a").withDeadline(Deadline.after(Duration.ofMillis(20))));
      Thread.sleep(60);
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      ExplanationResult r = queued.get(10, TimeUnit.SECONDS);
      assertTrue(r.timings().queueMicros() >= 50_000, "queued ~60 ms, got " + r.timings().queueMicros());
      assertEquals(r.timings().queueMicros() + 10, r.timings().totalMicros());
      ExplainException e = assertInstanceOf(ExplainException.class, cause(expired));
      assertEquals(ExplainException.Reason.DEADLINE_EXCEEDED, e.reason());
      synchronized (runs) {
        assertEquals(2, runs[0]);
      }
    } finally {
      batcher.close();
    }
  }

  @Test
  void afterShutdownSubmissionsAreUnavailable() throws Exception {
    WorkQueueBatcher batcher = new WorkQueueBatcher(q -> fakeResult(q.model()), 1, 10);
    batcher.shutdown();
    assertTrue(batcher.awaitTermination(Duration.ofSeconds(5)));
    ExplainException e = assertInstanceOf(ExplainException.class, cause(batcher.submit(query("a"))));
    assertEquals(ExplainException.Reason.UNAVAILABLE, e.reason());
    batcher.close();
  }
}
