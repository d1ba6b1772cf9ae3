package io.maskserve.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.maskserve.server.ServerProcess;
import io.maskserve.server.TestData;
import io.maskserve.server.grpc.ZooUploads;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.Method;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.zoo.fs.FileSystemZooStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code serve} process in the middle of an ExplainStream (items in flight, more being
 * sent, two versions, generator and gradient items): the client sees UNAVAILABLE, and a server
 * restarted on the same zoo finds it byte for byte as before (plus the gradient model the
 * gradient items cached, complete), lists every model and explains with each. Four more kills,
 * 0 to 50 ms after the first gradient explanation of v1 started building its gradient model (the
 * build's owner lock appeared), leave at most the build's temp file and owner lock, which the
 * restart removes. (kill -9 mid-registration: {@code KillDuringRegistrationTest}.)
 */
class KillDuringStreamTest {

  @TempDir Path zoo;

  static ExplainRequest image(String model, String version, String label, int index) {
    return ExplainRequest.newBuilder().setModel(model).setVersion(version)
        .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage(label, index)))).build();
  }

  /** Whether a gradient build (or any other owned write) holds an owner lock in the zoo's staging area. */
  private static boolean buildInProgress(Path zoo) {
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(zoo.resolve(".staging"))) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".owner"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The tree without the cached gradient models; temp files of a build (".input-grad-*.tmp") stay in. */
  private static Map<String, String> withoutGradientModels(Map<String, String> tree) {
    Map<String, String> out = new java.util.TreeMap<>(tree);
    out.keySet().removeIf(k -> k.endsWith("/" + FileSystemZooStore.GRADIENT_FILE));
    return out;
  }

  @Test
  void killMinus9MidStreamLosesNothing() throws Exception {
    TestData.populate(zoo, "1", 8); // v1: classifier and generator
    Map<String, String> before;
    try (ServerProcess server = ServerProcess.start(zoo)) {
      ManagedChannel ch = server.channel();
      try {
        // v2 registered through the server (its generator gives 4x4 maps).
        ZooUploads.registerClassifier(ch, ZooUploads.resnetMetadata("2"), TestData.read(TestData.resnetOnnx()));
        ZooUploads.registerGenerator(ch, ZooUploads.generatorMetadata("2", 0.5f), TestData.generatorOnnx(4));
        before = ServerProcess.tree(zoo);

        AtomicInteger answered = new AtomicInteger();
        CompletableFuture<Status> end = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<ExplainRequest>> requests = new CompletableFuture<>();
        ExplainServiceGrpc.newStub(ch).explainStream(new ClientResponseObserver<ExplainRequest, ExplainResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ExplainRequest> r) {
            requests.complete(r);
          }

          @Override
          public void onNext(ExplainResponse value) {
            answered.incrementAndGet();
          }

          @Override
          public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            end.complete(Status.OK);
          }
        });
        ClientCallStreamObserver<ExplainRequest> out = requests.get();
        // A sender that keeps the stream busy until the server dies: generator and gradient items.
        Thread sender = new Thread(() -> {
          String[] labels = {"cat", "ship", "dog", "truck"};
          for (int i = 0; !end.isDone() && i < 100_000; i++) {
            ExplainRequest r = i % 2 == 0
                ? image(TestData.MODEL, "1", labels[i % 4], 800 + i % 100)
                : image(TestData.MODEL, "2", labels[i % 4], 800 + i % 100).toBuilder()
                    .setMethod(Method.METHOD_GRADIENT).build();
            try {
              synchronized (out) {
                out.onNext(r.toBuilder().setRequestId("r" + i).build());
              }
              Thread.sleep(2);
            } catch (RuntimeException | InterruptedException e) {
              return; // the call is over
            }
          }
        });
        sender.setDaemon(true);
        sender.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answered.get() < 20 && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        assertTrue(answered.get() >= 20, "the stream was answering before the kill: " + answered.get());
        assertEquals(137, server.kill9());
        Status s = end.get(30, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAVAILABLE, s.getCode(), "the client learns the server is gone: " + s);
        sender.join(10_000);
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    // The gradient items made the server cache v2's gradient model (derived data, written to a temp
    // file and renamed); nothing else changed.
    Map<String, String> afterKill = ServerProcess.tree(zoo);
    assertEquals(before, withoutGradientModels(afterKill), "the kill changed nothing in the zoo");
    assertTrue(afterKill.containsKey("resnet20/2/" + FileSystemZooStore.GRADIENT_FILE), afterKill.keySet().toString());

    // More kills while v1's gradient model is being built for the first time: 0 to 50 ms after the build
    // took its owner lock in .staging (the cached file, derived data, is deleted before each so that
    // each call builds it).
    int tempFilesSeen = 0;
    for (long delay : new long[] {0, 5, 20, 50}) {
      java.nio.file.Files.deleteIfExists(zoo.resolve("resnet20/1/" + FileSystemZooStore.GRADIENT_FILE));
      try (ServerProcess server = ServerProcess.start(zoo)) {
        ManagedChannel ch = server.channel();
        try {
          ExplainServiceGrpc.newStub(ch).explain(image(TestData.MODEL, "1", "cat", 802).toBuilder()
              .setMethod(Method.METHOD_GRADIENT).build(), new io.maskserve.server.grpc.FutureObserver<>());
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (!buildInProgress(zoo) && System.nanoTime() < until) {
            Thread.onSpinWait();
          }
          assertTrue(buildInProgress(zoo), "the gradient build started");
          Thread.sleep(delay);
          assertEquals(137, server.kill9());
        } finally {
          ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
      Map<String, String> t = withoutGradientModels(ServerProcess.tree(zoo));
      // A build in progress: its owner lock in .staging, its temp file in the version directory.
      t.keySet().removeIf(k -> (k.startsWith("resnet20/1/.") && k.endsWith(".tmp"))
          || (k.startsWith(".staging/") && k.endsWith(".owner")));
      if (!withoutGradientModels(ServerProcess.tree(zoo)).equals(t)) {
        tempFilesSeen++;
      }
      assertEquals(before, t, "only gradient models and a build's temp and lock files: " + ServerProcess.tree(zoo).keySet());
    }
    System.out.println("kills that left a gradient build's temp or lock file: " + tempFilesSeen + " of 4");

    try (ServerProcess server = ServerProcess.start(zoo)) {
      ManagedChannel ch = server.channel();
      try {
        List<ModelInfo> models = ModelZooServiceGrpc.newBlockingStub(ch)
            .listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
        assertEquals(List.of("1", "2"), models.stream().map(ModelInfo::getVersion).sorted().toList());
        assertTrue(models.stream().allMatch(ModelInfo::hasGenerator), "both generators are listed");
        ExplainServiceGrpc.ExplainServiceBlockingStub explain =
            ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS);
        ExplainResponse r1 = explain.explain(image(TestData.MODEL, "1", "ship", 800));
        assertEquals(5, r1.getPredictionsCount());
        assertTrue(r1.hasMask() && r1.hasProbabilityMap(), "v1 explains with its generator");
        ExplainResponse r2 = ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
            .explain(image(TestData.MODEL, "2", "ship", 800).toBuilder().setMethod(Method.METHOD_GRADIENT).build());
        assertEquals(5, r2.getPredictionsCount());
        assertTrue(r2.hasSaliencyMap(), "v2 explains with a gradient");
        ExplainResponse r3 = ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
            .explain(image(TestData.MODEL, "2", "cat", 801));
        assertEquals("2", r3.getVersion());
        assertTrue(r3.getPredictionsCount() == 5 && r3.hasProbabilityMap(), "v2 explains with its own generator");
        ExplainResponse r4 = ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
            .explain(image(TestData.MODEL, "1", "dog", 803).toBuilder().setMethod(Method.METHOD_GRADIENT).build());
        assertTrue(r4.getPredictionsCount() == 5 && r4.hasSaliencyMap(), "v1 explains with a gradient");
        Map<String, String> end = ServerProcess.tree(zoo);
        assertEquals(before, withoutGradientModels(end), "the restarts found the zoo as it was: " + end.keySet());
        assertEquals(afterKill.get("resnet20/2/" + FileSystemZooStore.GRADIENT_FILE),
            end.get("resnet20/2/" + FileSystemZooStore.GRADIENT_FILE), "the cached gradient model was kept");
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.process.destroy();
      assertTrue(server.process.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
    }
  }
}
