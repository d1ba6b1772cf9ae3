package io.maskserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.maskserve.server.ServerProcess;
import io.maskserve.server.TestData;
import io.maskserve.server.grpc.FutureObserver;
import io.maskserve.server.grpc.ZooUploads;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.GetModelRequest;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.v1.RegisterClassifierRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} in a child JVM: the listening line, kill -9 in the middle of a registration
 * upload, restart on the same zoo (the model is absent, the zoo lists cleanly and accepts the same
 * registration), and a graceful stop on SIGTERM.
 */
class KillDuringRegistrationTest {

  @TempDir Path zoo;

  /** Starts {@code serve} on the test's zoo in a child JVM; its listening line names that zoo. */
  private ServerProcess startServer() throws Exception {
    ServerProcess child = ServerProcess.start(zoo);
    assertEquals(zoo.toString(), child.zoo);
    return child;
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void killMinus9MidUploadLeavesNoTrace() throws Exception {
    byte[] onnx = TestData.read(TestData.resnetOnnx());
    try (ServerProcess child = startServer()) {
      ManagedChannel ch = child.channel();
      try {
        FutureObserver<ModelInfo> responses = new FutureObserver<>();
        CompletableFuture<ModelInfo> result = responses.future();
        StreamObserver<RegisterClassifierRequest> upload =
            ModelZooServiceGrpc.newStub(ch).registerClassifier(responses);
        upload.onNext(RegisterClassifierRequest.newBuilder().setMetadata(ZooUploads.resnetMetadata("1")).build());
        int half = onnx.length / 2;
        for (int off = 0; off < half; off += ZooUploads.CHUNK) {
          upload.onNext(RegisterClassifierRequest.newBuilder()
              .setChunk(ByteString.copyFrom(onnx, off, Math.min(ZooUploads.CHUNK, half - off)))
              .build());
        }
        // Wait until the server has staged part of the file, then kill it mid-upload.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (files(zoo).stream().noneMatch(f -> f.toString().contains(".staging")) && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        assertTrue(files(zoo).stream().anyMatch(f -> f.toString().contains(".staging")),
            "the upload reached the store's staging area: " + files(zoo));
        child.process.destroyForcibly(); // SIGKILL
        assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.process.exitValue());
        assertFalse(result.isDone() && !result.isCompletedExceptionally(), "the upload did not complete");
      } finally {
        ch.shutdownNow();
      }
    }

    try (ServerProcess child = startServer()) {
      ManagedChannel ch = child.channel();
      try {
        ModelZooServiceGrpc.ModelZooServiceBlockingStub admin = ModelZooServiceGrpc.newBlockingStub(ch);
        assertEquals(0, admin.listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
            () -> admin.getModel(GetModelRequest.newBuilder().setName(TestData.MODEL).setVersion("1").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals(List.of(), files(zoo).stream().filter(f -> f.toString().contains(".staging")).toList(),
            "recovery emptied the staging area");
        // The same registration now succeeds, and the model serves.
        ZooUploads.registerClassifier(ch, ZooUploads.resnetMetadata("1"), onnx);
        ZooUploads.registerGenerator(ch, ZooUploads.generatorMetadata("1", 0.5f), TestData.generatorOnnx(8));
        ExplainResponse r = ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
            .explain(ExplainRequest.newBuilder()
                .setModel(TestData.MODEL)
                .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage("ship", 800))))
                .build());
        assertEquals(5, r.getPredictionsCount());
        assertEquals(1, admin.listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
      } finally {
        ch.shutdownNow();
      }
      // SIGTERM: the shutdown hook stops the server gracefully and the JVM exits.
      child.process.destroy();
      assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
    }
  }
}
