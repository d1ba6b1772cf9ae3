package io.maskserve.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.bench.ProcessStats;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak's short automated version (the full one is bench/soak.sh, RELIABILITY.md "Soak"): 64
 * clients for 20 s against an in-process server, every kind of call of {@link Soak}; no
 * unexpected outcome, no call left counted by the per-client limiter, the process's thread count
 * back to its level before the load (within 75 s: gRPC's default executor, a cached pool, keeps
 * the threads it added under load for 60 s) and no more open file descriptors.
 */
class SoakTest {

  @TempDir Path zoo;

  @Test
  void sixtyFourClientsMixingValidInvalidAndCancelledCallsHaveNoUnexpectedOutcome() throws Exception {
    TestData.populate(zoo, "1", 8);
    List<byte[]> images = new ArrayList<>();
    for (String label : List.of("cat", "ship", "dog", "truck")) {
      images.add(TestData.read(TestData.cifarImage(label, 810)));
    }
    long pid = ProcessHandle.current().pid();
    try (MaskserveServer server = MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(0)
        .bindAddress(ServerConfig.LOOPBACK).shutdownGrace(Duration.ofSeconds(5))
        // As bench/soak.sh: room for every client's stream items, so valid calls are served, not shed.
        .limits(ServerLimits.builder().maxQueue(256).build()).build())) {
      List<ManagedChannel> channels = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        channels.add(NettyChannelBuilder.forAddress(ServerConfig.LOOPBACK, server.port()).usePlaintext().build());
      }
      try {
        ExplainServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(60, TimeUnit.SECONDS).explain(
            ExplainRequest.newBuilder().setModel(TestData.MODEL).setEncoded(ByteString.copyFrom(images.get(0))).build());
        Soak soak = new Soak(channels, TestData.MODEL, images, TestData.labels().size());
        // Warm-up at full concurrency: gRPC's pools grow to their working size (idle threads expire after 60 s).
        Soak.Result warm = soak.run(64, Duration.ofSeconds(3), 7);
        assertEquals(0, warm.unexpected(), () -> "warm-up: " + warm.examples());
        awaitIdle(server);
        int threadsBefore = ProcessStats.of(pid).threads();
        java.util.Map<String, Long> namesBefore = threadNames();
        int fdsBefore = ProcessStats.of(pid).openFds();

        Soak.Result r = new Soak(channels, TestData.MODEL, images, TestData.labels().size())
            .run(64, Duration.ofSeconds(20), 1);
        SoakMain.printResult(r);
        assertEquals(0, r.unexpected(), () -> "unexpected outcomes: " + r.examples());
        for (Soak.Kind k : Soak.Kind.values()) {
          assertTrue(r.calls().getOrDefault(k, 0L) > 0, "no call of kind " + k + ": " + r.calls());
        }
        assertTrue(r.codes().getOrDefault("VALID OK", 0L) > 0, () -> "no valid call succeeded: " + r.codes());
        assertTrue(r.codes().getOrDefault("STREAM_CANCELLED CANCELLED", 0L) > 0, () -> r.codes().toString());

        awaitIdle(server);
        // gRPC's default executor (a cached pool) lets threads it added under load go after 60 s idle.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
        int threadsAfter = ProcessStats.of(pid).threads();
        while (threadsAfter > threadsBefore + 2 && System.nanoTime() < until) {
          Thread.sleep(200);
          threadsAfter = ProcessStats.of(pid).threads();
        }
        int fdsAfter = ProcessStats.of(pid).openFds();
        System.out.printf("threads %d -> %d, fds %d -> %d%n", threadsBefore, threadsAfter, fdsBefore, fdsAfter);
        System.out.println("threads before: " + namesBefore);
        System.out.println("threads after:  " + threadNames());
        assertTrue(threadsAfter <= threadsBefore + 2,
            "thread count back to its level before the load: " + threadsBefore + " -> " + threadsAfter);
        assertTrue(fdsAfter <= fdsBefore + 4, "open fds " + fdsBefore + " -> " + fdsAfter);
      } finally {
        for (ManagedChannel ch : channels) {
          ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Thread names of this process (Java and native) from /proc, digits folded, with counts. */
  private static java.util.Map<String, Long> threadNames() throws java.io.IOException {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String n = java.nio.file.Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "N");
          out.merge(n, 1L, Long::sum);
        } catch (java.io.IOException e) {
          // the thread ended
        }
      }
    }
    return out;
  }

  /** Waits until the server holds no call (cancelled streams' items finish in the background). */
  private static void awaitIdle(MaskserveServer server) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.callLimiter().totalActive() > 0 && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertEquals(0, server.callLimiter().totalActive(), () -> "calls still counted: " + server.callLimiter().snapshot());
  }
}
