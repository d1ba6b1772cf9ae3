package io.maskserve.bench.soak;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ModelZooServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop soak load: {@code clients} threads, each picking at random, call after call, one of
 * the {@link Kind}s below, and classifying every outcome as expected or unexpected:
 *
 * <ul>
 *   <li>VALID: a unary Explain of a real image, 60 s deadline: OK with predictions;
 *   <li>GARBAGE_IMAGE: random bytes as the image: INVALID_ARGUMENT;
 *   <li>UNKNOWN_MODEL: NOT_FOUND;
 *   <li>BAD_TARGET: target_class beyond the model's classes: INVALID_ARGUMENT;
 *   <li>SHORT_DEADLINE: a valid Explain with a 1–20 ms deadline: DEADLINE_EXCEEDED or OK;
 *   <li>STREAM: ExplainStream of three valid images and one garbage image, half-closed: every
 *       item answered once under its request_id (the valid ones with predictions, the garbage one
 *       with INVALID_ARGUMENT), then OK;
 *   <li>STREAM_CANCELLED: ExplainStream of four valid images, cancelled by the client at once or
 *       after its first response: CANCELLED;
 *   <li>LIST_MODELS: OK.
 * </ul>
 *
 * RESOURCE_EXHAUSTED naming one of the server's limits (per-model queue, calls per client) is
 * expected anywhere: it is load shedding, counted apart. INTERNAL, UNKNOWN, UNAVAILABLE and
 * DATA_LOSS are never expected, nor is any other code than the ones listed for a kind.
 */
public final class Soak {

  /** What a client does in one round. */
  public enum Kind {
    VALID(45), GARBAGE_IMAGE(8), UNKNOWN_MODEL(8), BAD_TARGET(8), SHORT_DEADLINE(7), STREAM(10),
    STREAM_CANCELLED(9), LIST_MODELS(5);

    final int weight;

    Kind(int weight) {
      this.weight = weight;
    }
  }

  /**
   * Outcomes of a run.
   *
   * @param seconds wall time
   * @param calls calls made, by kind
   * @param codes outcomes by {@code KIND CODE} (stream items as {@code STREAM_ITEM CODE})
   * @param expected outcomes that were expected
   * @param shed RESOURCE_EXHAUSTED from a server limit (expected, counted apart)
   * @param unexpected outcomes that were not expected
   * @param examples the first unexpected outcomes, described
   * @param shedReasons the shed outcomes by the limit their message names
   */
  public record Result(double seconds, Map<Kind, Long> calls, Map<String, Long> codes, long expected, long shed,
      long unexpected, List<String> examples, Map<String, Long> shedReasons) {

    /** All calls made. */
    public long totalCalls() {
      return calls.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final List<? extends Channel> channels;
  private final String model;
  private final List<ExplainRequest> valid;
  private final int numClasses;

  private final Map<Kind, LongAdder> calls = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> codes = new ConcurrentHashMap<>();
  private final LongAdder expected = new LongAdder();
  private final LongAdder shed = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> shedReasons = new ConcurrentHashMap<>();

  /**
   * @param channels channels to the server (client {@code i} uses channel {@code i mod size})
   * @param model the model to explain with (it must have a generator)
   * @param images encoded images it can classify
   * @param numClasses its number of classes (a target of this value is out of range)
   */
  public Soak(List<? extends Channel> channels, String model, List<byte[]> images, int numClasses) {
    if (channels.isEmpty() || images.isEmpty()) {
      throw new IllegalArgumentException("need at least one channel and one image");
    }
    this.channels = List.copyOf(channels);
    this.model = model;
    this.valid = images.stream()
        .map(b -> ExplainRequest.newBuilder().setModel(model).setEncoded(ByteString.copyFrom(b)).build())
        .toList();
    this.numClasses = numClasses;
  }

  /** Runs {@code clients} clients for {@code duration}; {@code seed} makes the mix repeatable. */
  public Result run(int clients, Duration duration, long seed) throws InterruptedException {
    long t0 = System.nanoTime();
    long end = t0 + duration.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Channel ch = channels.get(c % channels.size());
      Random random = new Random(seed * 1_000_003L + c);
      Thread t = new Thread(() -> {
        while (System.nanoTime() < end) {
          round(ch, random);
        }
      }, "soak-client-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    Map<Kind, Long> byKind = new TreeMap<>();
    calls.forEach((k, v) -> byKind.put(k, v.sum()));
    Map<String, Long> byCode = new TreeMap<>();
    codes.forEach((k, v) -> byCode.put(k, v.sum()));
    Map<String, Long> reasons = new TreeMap<>();
    shedReasons.forEach((k, v) -> reasons.put(k, v.sum()));
    return new Result((System.nanoTime() - t0) / 1e9, byKind, byCode, expected.sum(), shed.sum(), unexpected.sum(),
        List.copyOf(examples), reasons);
  }

  private static Kind pick(Random random) {
    int total = 0;
    for (Kind k : Kind.values()) {
      total += k.weight;
    }
    int r = random.nextInt(total);
    for (Kind k : Kind.values()) {
      r -= k.weight;
      if (r < 0) {
        return k;
      }
    }
    throw new AssertionError();
  }

  private ExplainRequest image(Random random) {
    return valid.get(random.nextInt(valid.size()));
  }

  private static ExplainRequest garbage(String model, Random random) {
    byte[] junk = new byte[16 + random.nextInt(2000)];
    random.nextBytes(junk);
    junk[0] = 'X'; // never a valid image signature by chance
    return ExplainRequest.newBuilder().setModel(model).setEncoded(ByteString.copyFrom(junk)).build();
  }

  private void round(Channel ch, Random random) {
    Kind kind = pick(random);
    calls.computeIfAbsent(kind, k -> new LongAdder()).increment();
    try {
      switch (kind) {
        case VALID -> unary(ch, kind, image(random), DEADLINE, Set.of(Status.Code.OK));
        case GARBAGE_IMAGE -> unary(ch, kind, garbage(model, random), DEADLINE, Set.of(Status.Code.INVALID_ARGUMENT));
        case UNKNOWN_MODEL -> unary(ch, kind, image(random).toBuilder().setModel("no-such-model-" + random.nextInt(5))
            .build(), DEADLINE, Set.of(Status.Code.NOT_FOUND));
        case BAD_TARGET -> unary(ch, kind, image(random).toBuilder().setTargetClass(numClasses + random.nextInt(100))
            .build(), DEADLINE, Set.of(Status.Code.INVALID_ARGUMENT));
        case SHORT_DEADLINE -> unary(ch, kind, image(random), Duration.ofMillis(1 + random.nextInt(20)),
            Set.of(Status.Code.DEADLINE_EXCEEDED, Status.Code.OK));
        case STREAM -> stream(ch, random);
        case STREAM_CANCELLED -> cancelledStream(ch, random);
        case LIST_MODELS -> {
          try {
            ModelZooServiceGrpc.newBlockingStub(ch).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .listModels(ListModelsRequest.getDefaultInstance());
            record(kind, Status.OK, Set.of(Status.Code.OK));
          } catch (StatusRuntimeException e) {
            record(kind, e.getStatus(), Set.of(Status.Code.OK));
          }
        }
      }
    } catch (RuntimeException e) {
      // A client-side failure that is not a status: unexpected by definition.
      unexpected(kind + " threw " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unexpected(kind + " interrupted");
    }
  }

  private void unary(Channel ch, Kind kind, ExplainRequest request, Duration deadline, Set<Status.Code> ok) {
    try {
      ExplainResponse r = ExplainServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).explain(request);
      if (r.getPredictionsCount() == 0 || !r.hasMask()) {
        unexpected(kind + " OK without predictions or mask");
        return;
      }
      record(kind, Status.OK, ok);
    } catch (StatusRuntimeException e) {
      record(kind, e.getStatus(), ok);
    }
  }

  private void stream(Channel ch, Random random) throws InterruptedException {
    Collector c = new Collector(false);
    ExplainServiceGrpc.newStub(ch).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).explainStream(c);
    Set<String> good = new HashSet<>();
    String bad = "bad-" + random.nextInt(1_000_000);
    int badAt = random.nextInt(4);
    for (int i = 0; i < 4; i++) {
      if (i == badAt) {
        c.requests.onNext(garbage(model, random).toBuilder().setRequestId(bad).build());
      } else {
        String id = "ok-" + i + "-" + random.nextInt(1_000_000);
        good.add(id);
        c.requests.onNext(image(random).toBuilder().setRequestId(id).build());
      }
    }
    c.requests.onCompleted();
    Status end = c.await();
    List<ExplainResponse> got;
    synchronized (c.responses) {
      got = List.copyOf(c.responses);
    }
    if (end.isOk()) {
      Set<String> seen = new HashSet<>();
      for (ExplainResponse r : got) {
        if (!seen.add(r.getRequestId())) {
          unexpected("STREAM answered " + r.getRequestId() + " twice");
        } else if (r.getRequestId().equals(bad)) {
          record("STREAM_ITEM", r.hasError() ? Status.fromCodeValue(r.getError().getCode())
              .withDescription(r.getError().getMessage()) : Status.OK, Set.of(Status.Code.INVALID_ARGUMENT));
        } else if (good.contains(r.getRequestId())) {
          if (r.hasError()) {
            record("STREAM_ITEM", Status.fromCodeValue(r.getError().getCode()).withDescription(r.getError().getMessage()),
                Set.of(Status.Code.OK));
          } else if (r.getPredictionsCount() == 0) {
            unexpected("STREAM item " + r.getRequestId() + " OK without predictions");
          } else {
            record("STREAM_ITEM", Status.OK, Set.of(Status.Code.OK));
          }
        } else {
          unexpected("STREAM answered an unknown request_id '" + r.getRequestId() + "'");
        }
      }
      if (seen.size() != 4) {
        unexpected("STREAM ended OK after " + seen.size() + " of 4 answers");
      }
    }
    record(Kind.STREAM, end, Set.of(Status.Code.OK));
  }

  private void cancelledStream(Channel ch, Random random) throws InterruptedException {
    boolean atOnce = random.nextBoolean();
    Collector c = new Collector(!atOnce);
    ExplainServiceGrpc.newStub(ch).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).explainStream(c);
    for (int i = 0; i < 4; i++) {
      c.requests.onNext(image(random).toBuilder().setRequestId("c" + i).build());
    }
    if (atOnce) {
      c.requests.cancel("soak cancels at once", null);
    }
    // Otherwise the collector cancels on the first response.
    record(Kind.STREAM_CANCELLED, c.await(), Set.of(Status.Code.CANCELLED));
  }

  private void record(Kind kind, Status status, Set<Status.Code> ok) {
    record(kind.name(), status, ok);
  }

  private void record(String what, Status status, Set<Status.Code> ok) {
    Status.Code code = status.getCode();
    codes.computeIfAbsent(what + " " + code, k -> new LongAdder()).increment();
    if (ok.contains(code)) {
      expected.increment();
    } else if (code == Status.Code.RESOURCE_EXHAUSTED && isShedding(status.getDescription())) {
      shed.increment();
      // The message without its numbers: one entry per limit.
      shedReasons.computeIfAbsent(status.getDescription().replaceAll("[0-9]+", "N"), k -> new LongAdder()).increment();
    } else {
      unexpected(what + " " + code + ": " + status.getDescription());
    }
  }

  /** Whether a RESOURCE_EXHAUSTED message names a server limit on load (not a request limit). */
  static boolean isShedding(String message) {
    return message != null && (message.contains("queue") || message.contains("calls in progress"));
  }

  private void unexpected(String what) {
    unexpected.increment();
    if (examples.size() < 20) {
      examples.add(what);
    }
  }

  /** A response observer that keeps the responses and the final status, optionally cancelling on the first. */
  private static final class Collector implements ClientResponseObserver<ExplainRequest, ExplainResponse> {
    final List<ExplainResponse> responses = new ArrayList<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();
    final boolean cancelOnFirst;
    ClientCallStreamObserver<ExplainRequest> requests;

    Collector(boolean cancelOnFirst) {
      this.cancelOnFirst = cancelOnFirst;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ExplainRequest> r) {
      requests = r;
    }

    @Override
    public void onNext(ExplainResponse value) {
      synchronized (responses) {
        responses.add(value);
      }
      if (cancelOnFirst) {
        requests.cancel("soak cancels mid-stream", null);
      }
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }

    Status await() throws InterruptedException {
      try {
        return end.get(DEADLINE.toSeconds() + 30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        return Status.fromThrowable(e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        requests.cancel("soak: no end after the deadline", null);
        return Status.UNKNOWN.withDescription("the stream did not end within its deadline plus 30 s");
      }
    }
  }
}
