package io.maskserve.server.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maskserve.server.ServerProcess;
import io.maskserve.server.TestData;
import io.maskserve.server.grpc.ZooUploads;
import io.maskserve.v1.DeleteModelRequest;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.zoo.testing.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 9: two real {@code serve} processes sharing one bucket of a real S3-protocol server
 * (s3proxy, in this JVM). A model registered through replica A is explained by replica B, and a
 * deletion through B reaches A, each within a bound set by {@code --refresh-interval} (500 ms).
 */
class S3ReplicasTest {

  private static final String BUCKET = "maskserve-replicas";
  /** How long a replica may take to notice another's change: the refresh interval plus slack for a loaded CI. */
  private static final Duration BOUND = Duration.ofSeconds(10);

  private static EmbeddedS3 s3;

  @TempDir static Path tmp;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = EmbeddedS3.start();
    s3.createBucket(BUCKET);
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  private static CompletableFuture<ServerProcess> replica(String name) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return ServerProcess.start("s3://" + BUCKET + "/zoo",
            // Credentials in the environment end the AWS default chain there; no instance metadata lookups.
            Map.of("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY,
                "AWS_EC2_METADATA_DISABLED", "true"),
            "--s3-endpoint", s3.endpoint().toString(), "--s3-cache-dir", tmp.resolve("cache-" + name).toString());
      } catch (Exception e) {
        throw new IllegalStateException("replica " + name + " did not start", e);
      }
    });
  }

  /** The generator shipped in models/ (trained for this classifier), or the reference one if absent. */
  private static byte[] generator() {
    Path shipped = Paths.get("").toAbsolutePath().getParent().resolve("models/resnet20-cifar10/generator.onnx");
    return Files.isRegularFile(shipped) ? TestData.read(shipped) : TestData.generatorOnnx(8);
  }

  private static ExplainResponse explain(ManagedChannel ch) {
    return ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
        .explain(ExplainRequest.newBuilder()
            .setModel(TestData.MODEL)
            .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage("ship", 800))))
            .build());
  }

  private static int modelCount(ManagedChannel ch) {
    return ModelZooServiceGrpc.newBlockingStub(ch).listModels(ListModelsRequest.getDefaultInstance()).getModelsCount();
  }

  /** Polls {@code condition} until it holds, failing after {@link #BOUND}; returns the time it took. */
  private static Duration within(String what, BooleanSupplier condition) throws InterruptedException {
    long t0 = System.nanoTime();
    while (!condition.getAsBoolean()) {
      Duration waited = Duration.ofNanos(System.nanoTime() - t0);
      assertTrue(waited.compareTo(BOUND) < 0, what + " did not happen within " + BOUND);
      Thread.sleep(50);
    }
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  private static Status.Code explainStatus(ManagedChannel ch) {
    try {
      explain(ch);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void registerOnOneReplicaExplainOnTheOtherDeleteReachesBoth() throws Exception {
    CompletableFuture<ServerProcess> startingA = replica("a");
    CompletableFuture<ServerProcess> startingB = replica("b");
    try (ServerProcess a = startingA.get(120, TimeUnit.SECONDS);
        ServerProcess b = startingB.get(120, TimeUnit.SECONDS)) {
      assertEquals("s3://" + BUCKET + "/zoo/", a.zoo, "the listening line names the S3 zoo");
      ManagedChannel chA = a.channel();
      ManagedChannel chB = b.channel();
      try {
        assertEquals(0, modelCount(chA));
        assertEquals(0, modelCount(chB));

        ZooUploads.registerClassifier(chA, ZooUploads.resnetMetadata("1"), TestData.read(TestData.resnetOnnx()));
        ModelInfo info = ZooUploads.registerGenerator(chA, ZooUploads.generatorMetadata("1", 0.35f), generator());
        assertTrue(info.hasGenerator(), info.toString());
        assertTrue(s3.client().listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix("zoo/")).contents().stream()
            .map(S3Object::key).anyMatch(k -> k.equals("zoo/" + TestData.MODEL + "/1/manifest.json")));

        // B's periodic refresh picks the version up from the bucket...
        Duration listed = within("B listing the model registered through A", () -> modelCount(chB) == 1);
        // ...and B serves it: downloaded from the bucket into B's own cache, checksum verified.
        ExplainResponse r = explain(chB);
        assertEquals("1", r.getVersion());
        assertEquals(5, r.getPredictionsCount());
        assertEquals("ship", r.getPredictions(0).getLabel(), r.getPredictionsList().toString());
        assertTrue(r.getMask().getHeight() > 0 || r.hasProbabilityMap(), "an explanation came back");
        assertTrue(Files.isDirectory(tmp.resolve("cache-b").resolve(TestData.MODEL)), "B cached the model");
        System.out.println("S3ReplicasTest: B listed A's registration after " + listed.toMillis() + " ms");

        assertEquals(Status.Code.OK, explainStatus(chA), "A serves it too (and so holds it loaded)");
        assertTrue(ModelZooServiceGrpc.newBlockingStub(chB)
            .deleteModel(DeleteModelRequest.newBuilder().setName(TestData.MODEL).setVersion("1").build())
            .getDeleted());
        Duration gone = within("A answering NOT_FOUND after B deleted the model",
            () -> explainStatus(chA) == Status.Code.NOT_FOUND);
        assertEquals(0, modelCount(chA));
        System.out.println("S3ReplicasTest: A refused the model deleted through B after " + gone.toMillis() + " ms");
        assertEquals(0, s3.client().listObjectsV2Paginator(q -> q.bucket(BUCKET).prefix("zoo/")).contents().stream()
            .count(), "the bucket is empty again");
      } finally {
        chA.shutdownNow();
        chB.shutdownNow();
      }
    } finally {
      startingA.thenAccept(ServerProcess::close);
      startingB.thenAccept(ServerProcess::close);
    }
  }
}
