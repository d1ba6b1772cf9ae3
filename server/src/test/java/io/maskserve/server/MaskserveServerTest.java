package io.maskserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskserveServerTest {

  @TempDir Path zoo;

  @Test
  void closeDrainsInFlightCallsThenRefusesNewOnes() throws Exception {
    TestData.populate(zoo, "1", 8);
    MaskserveServer server = MaskserveServer.start(ServerConfig.builder()
        .zoo(zoo).port(0).workerThreads(1).shutdownGrace(Duration.ofSeconds(30)).build());
    ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    try {
      ExplainServiceGrpc.ExplainServiceFutureStub stub = ExplainServiceGrpc.newFutureStub(ch);
      ExplainRequest req = ExplainRequest.newBuilder()
          .setModel(TestData.MODEL)
          .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage("truck", 850))))
          .setNumSamples(64)
          .setSeed(3)
          .build();
      // Warm up, so the calls below are queued on the single worker rather than loading the model.
      stub.explain(req).get(30, TimeUnit.SECONDS);
      List<com.google.common.util.concurrent.ListenableFuture<ExplainResponse>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(stub.explain(req.toBuilder().setRequestId("c" + i).build()));
      }
      Thread.sleep(100); // let the calls reach the server
      assertTrue(calls.stream().anyMatch(f -> !f.isDone()), "some calls are still in flight at close");
      server.close();
      for (int i = 0; i < calls.size(); i++) {
        assertEquals("c" + i, calls.get(i).get(30, TimeUnit.SECONDS).getRequestId(), "drained");
      }
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
          () -> ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS).explain(req));
      assertTrue(refused.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE, refused.getStatus().toString());
    } finally {
      ch.shutdownNow();
      server.close();
    }
  }

  @Test
  void cudaServerFallsBackToCpuAndServes() {
    TestData.populate(zoo, "1", 8);
    try (MaskserveServer server = MaskserveServer.start(ServerConfig.builder()
        .zoo(zoo).port(0).device(io.maskserve.server.runtime.Device.CUDA).build())) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
      try {
        ExplainResponse r = ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
            .explain(ExplainRequest.newBuilder()
                .setModel(TestData.MODEL)
                .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage("ship", 810))))
                .build());
        assertEquals(5, r.getPredictionsCount());
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void healthWatchersSeeNotServingOnShutdown() throws Exception {
    MaskserveServer server = MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(0).build());
    ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    try {
      java.util.concurrent.BlockingQueue<io.grpc.health.v1.HealthCheckResponse.ServingStatus> seen =
          new java.util.concurrent.LinkedBlockingQueue<>();
      io.grpc.Context.CancellableContext watch = io.grpc.Context.current().withCancellation();
      watch.run(() -> io.grpc.health.v1.HealthGrpc.newStub(ch).watch(
          io.grpc.health.v1.HealthCheckRequest.getDefaultInstance(),
          new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.grpc.health.v1.HealthCheckResponse value) {
              seen.add(value.getStatus());
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          }));
      assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING, seen.poll(10, TimeUnit.SECONDS));
      Thread closer = new Thread(server::close);
      closer.start();
      assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING, seen.poll(10, TimeUnit.SECONDS));
      watch.cancel(null); // a watcher that saw NOT_SERVING goes away; the drain then completes
      closer.join(10_000);
      assertTrue(!closer.isAlive(), "close finished");
    } finally {
      ch.shutdownNow();
      server.close();
    }
  }

  @Test
  void portInUseFailsClearly() {
    try (MaskserveServer first = MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(0).build())) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(first.port()).build()));
      assertTrue(e.getMessage().contains(String.valueOf(first.port())), e.getMessage());
    }
  }
}
