package io.maskserve.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.TestData;
import io.maskserve.server.security.BearerToken;
import io.maskserve.server.security.SecurityConfig;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-calls-per-client} on a real server over TCP: two clients with different tokens,
 * one held at its limit by open ExplainStream calls; the other keeps working; cancelled, finished
 * and timed-out calls give their slots back.
 */
class PerClientLimitServerTest {

  static final String ADMIN = "admin-token-0123456789";
  static final String EXPLAIN = "explain-token-0123456789";
  static final int LIMIT = 3;

  @TempDir Path zoo;

  /** A bidirectional stream the test controls: nothing is sent until the test says so. */
  static final class OpenStream implements ClientResponseObserver<ExplainRequest, ExplainResponse> {
    final CompletableFuture<Status> end = new CompletableFuture<>();
    final List<ExplainResponse> responses = new ArrayList<>();
    ClientCallStreamObserver<ExplainRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<ExplainRequest> r) {
      requests = r;
    }

    @Override
    public void onNext(ExplainResponse value) {
      synchronized (responses) {
        responses.add(value);
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
  }

  static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress(ServerConfig.LOOPBACK, port).usePlaintext().build();
  }

  static ExplainServiceGrpc.ExplainServiceStub stub(ManagedChannel ch, String token) {
    ExplainServiceGrpc.ExplainServiceStub s = ExplainServiceGrpc.newStub(ch);
    if (token == null) {
      return s;
    }
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  static ExplainServiceGrpc.ExplainServiceBlockingStub blocking(ManagedChannel ch, String token) {
    ExplainServiceGrpc.ExplainServiceBlockingStub s = ExplainServiceGrpc.newBlockingStub(ch);
    if (token == null) {
      return s;
    }
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  static ExplainRequest image(String label, int index) {
    return ExplainRequest.newBuilder().setModel(TestData.MODEL)
        .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage(label, index)))).build();
  }

  @Test
  void oneClientAtItsLimitIsRefusedWhileAnotherIsServedAndEverySlotComesBack() throws Exception {
    TestData.populate(zoo, "1", 8);
    SecurityConfig security = new SecurityConfig(BearerToken.of(ADMIN, "t"), BearerToken.of(EXPLAIN, "t"), null);
    try (MaskserveServer server = MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(0)
        .bindAddress(ServerConfig.LOOPBACK).shutdownGrace(Duration.ZERO).security(security)
        .limits(ServerLimits.builder().maxCallsPerClient(LIMIT).build()).build())) {
      PerClientCallLimiter limiter = server.callLimiter();
      assertEquals(LIMIT, limiter.maxCalls());
      ManagedChannel chA = channel(server.port());
      ManagedChannel chB = channel(server.port());
      try {
        // Warm the model up through client B (the first explanation loads it).
        assertEquals(5, blocking(chB, ADMIN).explain(image("cat", 800)).getPredictionsCount());
        await("B's call is released", () -> limiter.totalActive() == 0);

        // Client A (explain token) holds LIMIT open streams.
        List<OpenStream> held = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
          OpenStream s = new OpenStream();
          stub(chA, EXPLAIN).explainStream(s);
          held.add(s);
        }
        await("A's streams are counted", () -> limiter.totalActive() == LIMIT);
        Map<String, Integer> counts = limiter.snapshot();
        assertEquals(1, counts.size(), "one client: " + counts);
        String keyA = counts.keySet().iterator().next();
        assertTrue(keyA.startsWith("token:"), keyA);

        // One more call of A, a stream or a unary call, is refused with a clear message...
        OpenStream over = new OpenStream();
        stub(chA, EXPLAIN).explainStream(over);
        Status refused = over.end.get(20, TimeUnit.SECONDS);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode());
        assertTrue(refused.getDescription().contains("already has " + LIMIT + " calls in progress"),
            refused.getDescription());
        // ... also over another connection of the same client (the limit is per client, not per connection)
        ManagedChannel chA2 = channel(server.port());
        try {
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
              () -> blocking(chA2, EXPLAIN).withDeadlineAfter(20, TimeUnit.SECONDS).explain(image("dog", 801)));
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        } finally {
          chA2.shutdownNow();
        }
        // ... while client B (another token, same address) is served, and health checks always pass.
        assertEquals(5, blocking(chB, ADMIN).withDeadlineAfter(30, TimeUnit.SECONDS)
            .explain(image("ship", 802)).getPredictionsCount());
        HealthGrpc.newBlockingStub(chA).check(HealthCheckRequest.getDefaultInstance());
        assertEquals(LIMIT, limiter.active(keyA), "refused calls never counted");

        // A cancels its held streams: every slot comes back.
        for (OpenStream s : held) {
          s.requests.cancel("test cancels", null);
        }
        await("cancelled streams are released", () -> limiter.totalActive() == 0);

        // A stream that runs to its end, and one cancelled with an item in flight.
        OpenStream finished = new OpenStream();
        stub(chA, EXPLAIN).explainStream(finished);
        finished.requests.onNext(image("cat", 803).toBuilder().setRequestId("r1").build());
        finished.requests.onCompleted();
        assertEquals(Status.Code.OK, finished.end.get(30, TimeUnit.SECONDS).getCode());
        assertEquals(1, finished.responses.size());
        OpenStream cancelled = new OpenStream();
        stub(chA, EXPLAIN).explainStream(cancelled);
        cancelled.requests.onNext(image("cat", 804).toBuilder().setRequestId("r2").build());
        cancelled.requests.cancel("mid-stream", null);
        // Calls whose deadline expires before they are answered. On a loaded machine the client's
        // deadline timer can fire after a fast answer arrived, so such a call may succeed: keep going
        // until five have expired; any other outcome is a failure.
        int expired = 0;
        for (int attempt = 0; attempt < 100 && expired < 5; attempt++) {
          try {
            assertEquals(5, blocking(chA, EXPLAIN).withDeadlineAfter(1, TimeUnit.MILLISECONDS)
                .explain(image("frog", 805)).getPredictionsCount());
          } catch (StatusRuntimeException e) {
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            expired++;
          }
        }
        assertEquals(5, expired, "calls with a 1 ms deadline expired");
        await("finished, cancelled and timed-out calls are released", () -> limiter.totalActive() == 0);

        // Back-to-back calls at the limit are never refused: the slot is free before the answer leaves.
        for (int i = 0; i < 3 * LIMIT; i++) {
          assertEquals(5, blocking(chA, EXPLAIN).withDeadlineAfter(30, TimeUnit.SECONDS)
              .explain(image("horse", 806 + i)).getPredictionsCount());
        }
        await("all released", () -> limiter.totalActive() == 0);
        assertEquals(Map.of(), limiter.snapshot());
      } finally {
        chA.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        chB.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void withoutTokensTheClientIsItsAddressOverAllItsConnections() throws Exception {
    try (MaskserveServer server = MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(0)
        .bindAddress(ServerConfig.LOOPBACK).shutdownGrace(Duration.ZERO)
        .limits(ServerLimits.builder().maxCallsPerClient(2).build()).build())) {
      PerClientCallLimiter limiter = server.callLimiter();
      ManagedChannel ch1 = channel(server.port());
      ManagedChannel ch2 = channel(server.port());
      try {
        OpenStream s1 = new OpenStream();
        stub(ch1, null).explainStream(s1);
        OpenStream s2 = new OpenStream();
        stub(ch2, null).explainStream(s2);
        await("two streams over two connections are counted", () -> limiter.totalActive() == 2);
        assertEquals(Map.of("ip:127.0.0.1", 2), limiter.snapshot());
        OpenStream s3 = new OpenStream();
        stub(ch2, null).explainStream(s3);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s3.end.get(20, TimeUnit.SECONDS).getCode());
        // A connection that breaks gives its calls back.
        ch1.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        await("the broken connection's call is released", () -> limiter.totalActive() == 1);
        s2.requests.onCompleted(); // an empty stream ends OK
        assertEquals(Status.Code.OK, s2.end.get(20, TimeUnit.SECONDS).getCode());
        await("all released", () -> limiter.totalActive() == 0);
      } finally {
        ch1.shutdownNow();
        ch2.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
