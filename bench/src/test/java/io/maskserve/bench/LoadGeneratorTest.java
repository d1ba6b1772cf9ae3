package io.maskserve.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.TestData;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short smoke of the load generator against a real in-process server (the CI run of the harness). */
class LoadGeneratorTest {

  @TempDir Path zoo;

  @Test
  void countsAnsweredRequestsAndTheServersRefusals() throws Exception {
    TestData.populate(zoo, "1", 8);
    List<byte[]> images = List.of(TestData.read(TestData.cifarImage("cat", 800)),
        TestData.read(TestData.cifarImage("ship", 801)));
    try (MaskserveServer server = MaskserveServer.start(
        ServerConfig.builder().zoo(zoo).port(0).bindAddress(ServerConfig.LOOPBACK).build())) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(ServerConfig.LOOPBACK, server.port()).usePlaintext().build();
      try {
        // The first request loads the model (seconds on a busy machine): not part of the load.
        ExplainServiceGrpc.newBlockingStub(channel).explain(ExplainRequest.newBuilder().setModel(TestData.MODEL)
            .setEncoded(ByteString.copyFrom(images.get(0))).build());
        LoadGenerator.Result ok = new LoadGenerator(List.of(channel), TestData.MODEL, images, Duration.ofSeconds(30))
            .run(4, Duration.ofMillis(1500));
        assertTrue(ok.ok() > 0, "4 clients for 1.5 s had no answer");
        assertEquals(0, ok.failed(), () -> "errors: " + ok.errors());
        assertTrue(ok.latency().p50Millis() > 0 && ok.latency().p99Millis() >= ok.latency().p50Millis());
        assertEquals(ok.ok(), ok.latency().count());

        LoadGenerator.Result missing = new LoadGenerator(List.of(channel), "no-such-model", images,
            Duration.ofSeconds(30)).run(2, Duration.ofMillis(300));
        assertEquals(0, missing.ok());
        assertTrue(missing.errors().getOrDefault(Status.Code.NOT_FOUND, 0L) > 0, () -> "errors: " + missing.errors());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
