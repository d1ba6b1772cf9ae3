package io.maskserve.bench;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop load: {@code clients} threads, each sending unary {@code Explain} requests one after
 * the other (a new one as soon as the previous answered) for a fixed time, over the given
 * channels (client {@code i} uses channel {@code i mod channels}). Latency is measured from
 * sending to the answer, per request.
 */
public final class LoadGenerator {

  /**
   * What one load level measured.
   *
   * @param clients concurrent clients
   * @param seconds wall time of the level
   * @param ok successful requests
   * @param errors failed requests by status code
   * @param latency latency of the successful requests
   */
  public record Result(int clients, double seconds, long ok, Map<Status.Code, Long> errors, LatencyStats latency) {

    /** Successful requests per second. */
    public double throughput() {
      return ok / seconds;
    }

    /** Failed requests of every code. */
    public long failed() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final List<? extends Channel> channels;
  private final List<ExplainRequest> requests;
  private final Duration deadline;

  /**
   * @param channels channels to the server (at least one)
   * @param model the zoo model to explain with
   * @param images encoded images, sent in turn
   * @param deadline per-request deadline
   */
  public LoadGenerator(List<? extends Channel> channels, String model, List<byte[]> images, Duration deadline) {
    if (channels.isEmpty() || images.isEmpty()) {
      throw new IllegalArgumentException("need at least one channel and one image");
    }
    this.channels = List.copyOf(channels);
    this.requests = images.stream()
        .map(b -> ExplainRequest.newBuilder().setModel(model).setEncoded(ByteString.copyFrom(b)).build())
        .toList();
    this.deadline = deadline;
  }

  /** Runs {@code clients} clients for {@code duration} and returns what they measured. */
  public Result run(int clients, Duration duration) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    long[][] latencies = new long[clients][];
    int[] counts = new int[clients];
    List<Map<Status.Code, Long>> errors = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      int id = c;
      Map<Status.Code, Long> errs = new EnumMap<>(Status.Code.class);
      errors.add(errs);
      ExplainServiceGrpc.ExplainServiceBlockingStub stub =
          ExplainServiceGrpc.newBlockingStub(channels.get(c % channels.size()));
      Thread t = new Thread(() -> {
        long[] lat = new long[1024];
        int n = 0;
        for (int i = id; System.nanoTime() < end; i += clients) {
          ExplainRequest req = requests.get(i % requests.size());
          long s = System.nanoTime();
          try {
            stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).explain(req);
            if (n == lat.length) {
              lat = Arrays.copyOf(lat, n * 2);
            }
            lat[n++] = System.nanoTime() - s;
          } catch (StatusRuntimeException e) {
            errs.merge(e.getStatus().getCode(), 1L, Long::sum);
          }
        }
        latencies[id] = lat;
        counts[id] = n;
      }, "load-client-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(latencies[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Map<Status.Code, Long> merged = new EnumMap<>(Status.Code.class);
    errors.forEach(m -> m.forEach((k, v) -> merged.merge(k, v, Long::sum)));
    return new Result(clients, seconds, total, merged, LatencyStats.of(all));
  }
}
