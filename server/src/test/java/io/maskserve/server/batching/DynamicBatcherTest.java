package io.maskserve.server.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.pipeline.BatchExplainer;
import io.maskserve.server.pipeline.Deadline;
import io.maskserve.server.pipeline.ExplainException;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.pipeline.ImageInput;
import io.maskserve.server.pipeline.Outcome;
import io.maskserve.server.sampling.PackedMask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

  /** Records every batch; the first batch blocks until released. Query seeds carry ids. */
  private static final class Recorder implements BatchExplainer {
    final List<List<Long>> batches = Collections.synchronizedList(new ArrayList<>());
    final List<String> versions = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch firstStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public List<Outcome> explainBatch(String model, String version, List<ExplainQuery> queries) {
      batches.add(queries.stream().map(q -> q.seed().getAsLong()).toList());
      versions.add(version);
      firstStarted.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return queries.stream().map(q -> q.seed().getAsLong() < 0
          ? Outcome.failed(new ExplainException(ExplainException.Reason.INVALID_ARGUMENT, "bad " + q.seed()))
          : Outcome.of(result(q))).toList();
    }
  }

  private static ExplanationResult result(ExplainQuery q) {
    PackedMask m = PackedMask.pack(1, 1, new boolean[] {true});
    return new ExplanationResult(
        q.model(), q.version(), List.of(), 0, "a", 1f, new ExplanationResult.ProbabilityMap(1, 1, new float[] {1f}),
        0.5f, new ExplanationResult.ScoredMask(m, 1f), List.of(), q.seed().getAsLong(), null,
        new ExplanationResult.StageTimings(0, 0, 0, 0, 0, 0, 0, 10));
  }

  private static ExplainQuery query(String version, long id) {
    return new ExplainQuery("m", version, new ImageInput.Encoded(new byte[1]), java.util.OptionalInt.empty(), 0,
        java.util.OptionalLong.of(id), java.util.Optional.empty(), false, java.util.Optional.empty());
  }

  private static Throwable cause(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
  }

  @Test
  void mergesQueuedRequestsPerVersionUpToTheBatchSize() throws Exception {
    Recorder rec = new Recorder();
    DynamicBatcher batcher = new DynamicBatcher(rec, 1, 16, Duration.ZERO, 100);
    try {
      List<CompletableFuture<ExplanationResult>> futures = new ArrayList<>();
      futures.add(batcher.submit(query("", 0)));
      assertTrue(rec.firstStarted.await(10, TimeUnit.SECONDS));
      for (long i = 1; i <= 40; i++) {
        futures.add(batcher.submit(query(i % 8 == 0 ? "2" : "", i)));
      }
      futures.add(batcher.submit(query("", -1))); // fails alone
      rec.release.countDown();
      for (int i = 0; i <= 40; i++) {
        ExplanationResult r = futures.get(i).get(10, TimeUnit.SECONDS);
        assertEquals(i, r.seed(), "each caller gets its own result");
        assertTrue(r.timings().totalMicros() >= r.timings().queueMicros());
      }
      assertEquals(ExplainException.Reason.INVALID_ARGUMENT,
          assertInstanceOf(ExplainException.class, cause(futures.get(41))).reason());
      assertEquals(List.of(0L), rec.batches.get(0));
      int total = 0;
      for (int b = 1; b < rec.batches.size(); b++) {
        List<Long> ids = rec.batches.get(b);
        assertTrue(ids.size() <= 16, "batch size " + ids.size());
        for (long id : ids) {
          assertEquals(id > 0 && id % 8 == 0 ? "2" : "", rec.versions.get(b), "one version per batch");
        }
        total += ids.size();
      }
      assertEquals(41, total);
      // 36 queries for latest and 5 for version 2, queued together: 3 + 1 batches.
      assertEquals(1 + 4, rec.batches.size(), rec.batches.toString());
      assertEquals(0, batcher.pending("m"));
    } finally {
      batcher.close();
    }
  }

  @Test
  void baselineQueriesRunAloneAndDoNotJoinGeneratorBatches() throws Exception {
    Recorder rec = new Recorder();
    DynamicBatcher batcher = new DynamicBatcher(rec, 1, 16, Duration.ZERO, 100);
    try {
      List<CompletableFuture<ExplanationResult>> futures = new ArrayList<>();
      futures.add(batcher.submit(query("", 0)));
      assertTrue(rec.firstStarted.await(10, TimeUnit.SECONDS));
      for (long i = 1; i <= 8; i++) {
        ExplainQuery q = query("", i);
        futures.add(batcher.submit(i % 2 == 0 ? q.withMethod(io.maskserve.server.pipeline.ExplanationMethod.RISE) : q));
      }
      rec.release.countDown();
      for (CompletableFuture<ExplanationResult> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
      List<List<Long>> later = rec.batches.subList(1, rec.batches.size());
      assertTrue(later.contains(List.of(1L, 3L, 5L, 7L)), "generator queries merged: " + later);
      for (long id = 2; id <= 8; id += 2) {
        assertTrue(later.contains(List.of(id)), "baseline " + id + " alone: " + later);
      }
      assertEquals(5, later.size(), later.toString());
    } finally {
      batcher.close();
    }
  }

  @Test
  void partialBatchWaitsUpToTheDelay() throws Exception {
    List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    DynamicBatcher batcher = new DynamicBatcher((m, v, qs) -> {
      sizes.add(qs.size());
      return qs.stream().map(q -> Outcome.of(result(q))).toList();
    }, 1, 8, Duration.ofSeconds(1), 100);
    try {
      CompletableFuture<ExplanationResult> a = batcher.submit(query("", 1));
      Thread.sleep(50);
      CompletableFuture<ExplanationResult> b = batcher.submit(query("", 2));
      a.get(10, TimeUnit.SECONDS);
      b.get(10, TimeUnit.SECONDS);
      assertEquals(List.of(2), sizes);
      assertTrue(a.get().timings().queueMicros() >= 900_000, "waited for the batch to fill");
    } finally {
      batcher.close();
    }
  }

  @Test
  void rejectsBeyondTheQueueAndExpiresLateWork() throws Exception {
    Recorder rec = new Recorder();
    DynamicBatcher batcher = new DynamicBatcher(rec, 1, 4, Duration.ZERO, 3);
    try {
      CompletableFuture<ExplanationResult> first = batcher.submit(query("", 1));
      assertTrue(rec.firstStarted.await(10, TimeUnit.SECONDS));
      CompletableFuture<ExplanationResult> late =
          batcher.submit(query("", 2).withDeadline(Deadline.after(Duration.ofMillis(10))));
      CompletableFuture<ExplanationResult> third = batcher.submit(query("", 3));
      ExplainException full = assertInstanceOf(ExplainException.class, cause(batcher.submit(query("", 4))));
      assertEquals(ExplainException.Reason.RESOURCE_EXHAUSTED, full.reason());
      Thread.sleep(30);
      rec.release.countDown();
      assertEquals(1, first.get(10, TimeUnit.SECONDS).seed());
      assertEquals(3, third.get(10, TimeUnit.SECONDS).seed());
      assertEquals(ExplainException.Reason.DEADLINE_EXCEEDED,
          assertInstanceOf(ExplainException.class, cause(late)).reason());
      assertEquals(List.of(List.of(1L), List.of(3L)), rec.batches);
    } finally {
      batcher.close();
    }
  }

  @Test
  void shutdownDrainsCloseAbandons() throws Exception {
    Recorder rec = new Recorder();
    DynamicBatcher batcher = new DynamicBatcher(rec, 1, 1, Duration.ZERO, 10);
    CompletableFuture<ExplanationResult> running = batcher.submit(query("", 1));
    assertTrue(rec.firstStarted.await(10, TimeUnit.SECONDS));
    CompletableFuture<ExplanationResult> queued = batcher.submit(query("", 2));
    batcher.shutdown();
    assertEquals(ExplainException.Reason.UNAVAILABLE,
        assertInstanceOf(ExplainException.class, cause(batcher.submit(query("", 3)))).reason());
    rec.release.countDown();
    assertTrue(batcher.awaitTermination(Duration.ofSeconds(10)));
    assertEquals(1, running.get().seed());
    assertEquals(2, queued.get().seed(), "shutdown runs what was accepted");

    Recorder rec2 = new Recorder();
    DynamicBatcher b2 = new DynamicBatcher(rec2, 1, 1, Duration.ZERO, 10);
    b2.submit(query("", 1));
    assertTrue(rec2.firstStarted.await(10, TimeUnit.SECONDS));
    CompletableFuture<ExplanationResult> abandoned = b2.submit(query("", 2));
    b2.close();
    assertEquals(ExplainException.Reason.UNAVAILABLE,
        assertInstanceOf(ExplainException.class, cause(abandoned)).reason());
    rec2.release.countDown();
    assertTrue(b2.awaitTermination(Duration.ofSeconds(10)));
  }
}
