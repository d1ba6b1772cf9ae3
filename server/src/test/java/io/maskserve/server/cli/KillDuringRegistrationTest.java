package io.maskserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} in a child JVM: the listening line, kill -9 in the middle of a registration
 * upload, restart on the same zoo (the model is absent, the zoo lists cleanly and accepts the same
 * registration), and a graceful stop on SIGTERM.
 */
class KillDuringRegistrationTest {

  private static final Pattern LISTENING = Pattern.compile("maskserve listening on port (\\d+) \\(zoo (.+)\\)");

  @TempDir Path zoo;

  /** A child JVM running {@code serve} and the port it printed. */
  private record Child(Process process, int port) implements AutoCloseable {
    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private Child startServer() throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(
        java.toString(),
        "-Xmx512m",
        "-cp", System.getProperty("java.class.path"),
        ServeCommand.class.getName(),
        "--zoo", zoo.toString(),
        "--port", "0",
        "--refresh-interval", "500ms",
        "--shutdown-grace", "5s");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = LISTENING.matcher(line);
          if (m.matches()) {
            assertEquals(zoo.toString(), m.group(2));
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
        port.completeExceptionally(new IllegalStateException("server exited: " + p.waitFor()));
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    return new Child(p, port.get(60, TimeUnit.SECONDS));
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
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
    try (Child child = startServer()) {
      ManagedChannel ch = channel(child.port());
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
        child.process().destroyForcibly(); // SIGKILL
        assertTrue(child.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.process().exitValue());
        assertFalse(result.isDone() && !result.isCompletedExceptionally(), "the upload did not complete");
      } finally {
        ch.shutdownNow();
      }
    }

    try (Child child = startServer()) {
      ManagedChannel ch = channel(child.port());
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
      child.process().destroy();
      assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
    }
  }
}
