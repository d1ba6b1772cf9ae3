package io.maskserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.v1.DeleteModelRequest;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.GetModelRequest;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.Mask;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.v1.RegisterClassifierRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over a real TCP port with a Netty client: the classifier and the generator are
 * registered through ModelZooService, real CIFAR-10 images are explained.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerEndToEndTest {

  static final int MAX_SAMPLES = 16;
  static final long MAX_PIXELS = 64 * 64;
  static final long MAX_UPLOAD = 4 << 20;

  @TempDir static Path zoo;
  private MaskserveServer server;
  private ManagedChannel channel;
  private ExplainServiceGrpc.ExplainServiceBlockingStub explain;
  private ModelZooServiceGrpc.ModelZooServiceBlockingStub admin;
  private List<String> labels;

  @BeforeAll
  void start() {
    server = MaskserveServer.start(ServerConfig.builder()
        .zoo(zoo)
        .port(0)
        .limits(ServerLimits.builder()
            .maxSamples(MAX_SAMPLES)
            .maxImagePixels(MAX_PIXELS)
            .maxUploadBytes(MAX_UPLOAD)
            .build())
        .refreshInterval(Duration.ofMillis(200))
        .shutdownGrace(Duration.ofSeconds(5))
        .build());
    channel = NettyChannelBuilder.forAddress("localhost", server.port())
        .usePlaintext()
        .maxInboundMessageSize(64 << 20)
        .build();
    explain = ExplainServiceGrpc.newBlockingStub(channel);
    admin = ModelZooServiceGrpc.newBlockingStub(channel);
    labels = TestData.labels();

    ModelInfo c = ZooUploads.registerClassifier(
        channel, ZooUploads.resnetMetadata("1"), TestData.read(TestData.resnetOnnx()));
    assertEquals("1", c.getVersion());
    assertFalse(c.hasGenerator());
    assertEquals(
        "525a722e19d155ea4f8e971d242add36fd1b15158a13d636e59cbbd1a05d71fc", c.getClassifier().getSha256());
    ModelInfo g = ZooUploads.registerGenerator(
        channel, ZooUploads.generatorMetadata("1", 0.5f), TestData.generatorOnnx(8));
    assertTrue(g.hasGenerator());
    assertEquals(8, g.getGenerator().getOutputHeight());
    assertEquals(0.5f, g.getGenerator().getThreshold());
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private ExplainRequest.Builder request(String label, int index) {
    return ExplainRequest.newBuilder()
        .setModel(TestData.MODEL)
        .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage(label, index))))
        .setRequestId(label + "/" + index);
  }

  private ExplainServiceGrpc.ExplainServiceBlockingStub explain() {
    return explain.withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static float[] floats(ByteString le) {
    float[] f = new float[le.size() / 4];
    le.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  private static boolean bit(Mask m, int i) {
    return (m.getBits().byteAt(i / 8) & (0x80 >>> (i % 8))) != 0;
  }

  private static Status.Code codeOf(Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    return e.getStatus().getCode();
  }

  private void assertStillServes() {
    ExplainResponse r = explain().explain(request("airplane", 800).build());
    assertEquals(5, r.getPredictionsCount());
  }

  @Test
  void unaryExplainReturnsAConsistentExplanation() {
    ExplainResponse r = explain().explain(request("automobile", 803).setNumSamples(5).setSeed(1234).build());
    assertEquals("automobile/803", r.getRequestId());
    assertEquals(TestData.MODEL, r.getModel());
    assertEquals("1", r.getVersion());
    assertFalse(r.hasError());
    assertEquals(5, r.getPredictionsCount());
    for (int i = 1; i < 5; i++) {
      assertTrue(r.getPredictions(i - 1).getProbability() >= r.getPredictions(i).getProbability());
    }
    assertEquals(labels.get(r.getPredictions(0).getClassIndex()), r.getPredictions(0).getLabel());
    assertEquals(r.getPredictions(0).getClassIndex(), r.getTargetClass());
    assertEquals(r.getPredictions(0).getProbability(), r.getTargetOriginalProbability(), 1e-6f);
    assertEquals(labels.get(r.getTargetClass()), r.getTargetLabel());
    // A 32x32 CIFAR image is the input itself: the region is the whole image.
    assertEquals(io.maskserve.v1.InputRegion.newBuilder().setOriginalWidth(32).setOriginalHeight(32).setX1(32)
        .setY1(32).setInputWidth(32).setInputHeight(32).build(), r.getInputRegion());

    assertEquals(32, r.getProbabilityMap().getHeight());
    assertEquals(32, r.getProbabilityMap().getWidth());
    float[] map = floats(r.getProbabilityMap().getData());
    assertEquals(1024, map.length);
    for (float p : map) {
      assertTrue(p >= 0f && p <= 1f, "probability " + p);
    }
    assertEquals(0.5f, r.getThreshold());
    Mask mask = r.getMask();
    assertEquals(128, mask.getBits().size());
    int kept = 0;
    for (int i = 0; i < 1024; i++) {
      assertEquals(map[i] >= r.getThreshold(), bit(mask, i), "pixel " + i);
      kept += bit(mask, i) ? 1 : 0;
    }
    assertEquals(kept / 1024f, mask.getKeepFraction(), 1e-6f);
    assertTrue(mask.getTargetProbability() >= 0f && mask.getTargetProbability() <= 1f);

    assertEquals(1234L, r.getSeed());
    assertEquals(5, r.getSamplesCount());
    ExplainResponse again = explain().explain(request("automobile", 803).setNumSamples(5).setSeed(1234).build());
    ExplainResponse other = explain().explain(request("automobile", 803).setNumSamples(5).setSeed(4321).build());
    List<ByteString> a = r.getSamplesList().stream().map(Mask::getBits).toList();
    assertEquals(a, again.getSamplesList().stream().map(Mask::getBits).toList());
    assertNotEquals(a, other.getSamplesList().stream().map(Mask::getBits).toList());
    for (int k = 0; k < 5; k++) {
      assertEquals(r.getSamples(k).getTargetProbability(), again.getSamples(k).getTargetProbability(), 1e-6f);
    }
    assertTrue(r.getTiming().getTotalMicros() > 0);
    assertTrue(r.getTiming().getTotalMicros() >= r.getTiming().getScoreMicros());

    // Explicit target, threshold and overlay.
    ExplainResponse t = explain().explain(request("automobile", 803)
        .setTargetClass(9).setThreshold(0.3f).setIncludeOverlayPng(true).build());
    assertEquals(9, t.getTargetClass());
    assertEquals("truck", t.getTargetLabel());
    assertEquals(0.3f, t.getThreshold());
    float[] map2 = floats(t.getProbabilityMap().getData());
    for (int i = 0; i < 1024; i++) {
      assertEquals(map2[i] >= 0.3f, bit(t.getMask(), i));
    }
    assertTrue(t.getOverlayPng().size() > 8);
    assertEquals((byte) 0x89, t.getOverlayPng().byteAt(0)); // PNG signature
  }

  @Test
  void tensorInputIsAccepted() {
    ExplainResponse fromImage = explain().explain(request("deer", 870).build());
    // A mid-grey tensor is all zeros after normalisation... use the real image through the server's
    // own answer instead: any valid tensor must be explained.
    ByteBuffer le = ByteBuffer.allocate(3 * 32 * 32 * 4).order(ByteOrder.LITTLE_ENDIAN);
    ExplainResponse r = explain().explain(ExplainRequest.newBuilder()
        .setModel(TestData.MODEL)
        .setTensor(io.maskserve.v1.FloatTensor.newBuilder()
            .addShape(1).addShape(3).addShape(32).addShape(32)
            .setData(ByteString.copyFrom(le.array())))
        .build());
    assertEquals(5, r.getPredictionsCount());
    assertEquals(5, fromImage.getPredictionsCount());
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> explain().explain(ExplainRequest.newBuilder()
        .setModel(TestData.MODEL)
        .setTensor(io.maskserve.v1.FloatTensor.newBuilder().addShape(3).addShape(32).addShape(31)
            .setData(ByteString.copyFrom(new byte[3 * 32 * 31 * 4])))
        .build())));
  }

  @Test
  void errorsHavePreciseStatusesAndTheServerKeepsServing() throws Exception {
    StatusRuntimeException corrupt = assertThrows(StatusRuntimeException.class, () -> explain().explain(
        ExplainRequest.newBuilder().setModel(TestData.MODEL).setEncoded(ByteString.copyFromUtf8("not an image")).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, corrupt.getStatus().getCode());
    assertStillServes();

    // A truncated JPEG.
    byte[] jpeg = TestData.read(TestData.cifarImage("bird", 820));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> explain().explain(ExplainRequest.newBuilder()
        .setModel(TestData.MODEL).setEncoded(ByteString.copyFrom(jpeg, 0, 20)).build())));
    assertStillServes();

    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
        () -> explain().explain(request("bird", 820).setModel("nosuch").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    assertTrue(unknown.getStatus().getDescription().contains(TestData.MODEL), unknown.getStatus().getDescription());
    assertStillServes();

    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> explain().explain(request("bird", 820).setVersion("77").build())));
    assertStillServes();

    StatusRuntimeException target = assertThrows(StatusRuntimeException.class,
        () -> explain().explain(request("bird", 820).setTargetClass(10).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, target.getStatus().getCode());
    assertTrue(target.getStatus().getDescription().contains("0..9"), target.getStatus().getDescription());
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> explain().explain(request("bird", 820).setTargetClass(-1).build())));
    assertStillServes();

    BufferedImage big = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB); // 10,000 > 4,096 pixels
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(big, "png", png);
    StatusRuntimeException large = assertThrows(StatusRuntimeException.class, () -> explain().explain(
        ExplainRequest.newBuilder().setModel(TestData.MODEL).setEncoded(ByteString.copyFrom(png.toByteArray())).build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, large.getStatus().getCode());
    assertTrue(large.getStatus().getDescription().contains(String.valueOf(MAX_PIXELS)), large.getStatus().getDescription());
    assertStillServes();

    StatusRuntimeException many = assertThrows(StatusRuntimeException.class,
        () -> explain().explain(request("bird", 820).setNumSamples(MAX_SAMPLES + 1).build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, many.getStatus().getCode());
    assertTrue(many.getStatus().getDescription().contains(String.valueOf(MAX_SAMPLES)));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> explain().explain(request("bird", 820).setNumSamples(-1).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> explain().explain(request("bird", 820).setThreshold(1.5f).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> explain().explain(ExplainRequest.newBuilder().setModel(TestData.MODEL).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> explain().explain(request("bird", 820).setModel("../etc").build())));
    assertStillServes();

    // An expired deadline.
    Status.Code late = codeOf(() -> explain.withDeadlineAfter(1, TimeUnit.NANOSECONDS).explain(request("bird", 820).build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, late);
    assertStillServes();
  }

  @Test
  void zooAdministrationStatuses() {
    byte[] onnx = TestData.read(TestData.resnetOnnx());
    assertEquals(Status.Code.ALREADY_EXISTS, codeOf(() -> ZooUploads.registerClassifier(
        channel, ZooUploads.resnetMetadata("1"), onnx)));
    assertEquals(Status.Code.ALREADY_EXISTS, codeOf(() -> ZooUploads.registerGenerator(
        channel, ZooUploads.generatorMetadata("1", 0.5f), TestData.generatorOnnx(8))));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> ZooUploads.registerClassifier(
        channel, ZooUploads.resnetMetadata("bad-sha").toBuilder().setSha256("00".repeat(32)).build(), onnx)));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> ZooUploads.registerClassifier(
        channel, ZooUploads.resnetMetadata("garbage"), new byte[] {1, 2, 3, 4, 5})));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> ZooUploads.registerClassifier(
        channel, ZooUploads.resnetMetadata("labels").toBuilder().addLabels("eleventh").build(), onnx)));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> ZooUploads.upload(
        obs -> ModelZooServiceGrpc.newStub(channel).registerClassifier(obs),
        null, c -> RegisterClassifierRequest.newBuilder().setChunk(c).build(), onnx)));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> ZooUploads.registerGenerator(
        channel, ZooUploads.generatorMetadata("404", 0.5f), TestData.generatorOnnx(8))));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, codeOf(() -> ZooUploads.registerClassifier(
        channel, ZooUploads.resnetMetadata("huge"), new byte[(int) MAX_UPLOAD + 1])));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> admin.getModel(GetModelRequest.newBuilder().setName("nosuch").build())));

    ModelInfo info = admin.getModel(GetModelRequest.newBuilder().setName(TestData.MODEL).setVersion("1").build());
    assertEquals(labels, info.getLabelsList());
    assertEquals(List.of(0.485f, 0.456f, 0.406f), info.getMeanList());
    Set<String> versions = new HashSet<>();
    admin.listModels(ListModelsRequest.newBuilder().setName(TestData.MODEL).build())
        .getModelsList().forEach(m -> versions.add(m.getVersion()));
    assertTrue(versions.contains("1"));
    assertFalse(versions.contains("bad-sha") || versions.contains("garbage") || versions.contains("huge"));
    assertFalse(admin.deleteModel(DeleteModelRequest.newBuilder().setName(TestData.MODEL).setVersion("404").build()).getDeleted());
    assertStillServes();
  }

  /** Streams {@code requests} with at most {@code window} outstanding; returns responses by request_id. */
  private Map<String, ExplainResponse> stream(List<ExplainRequest> requests, int window, Consumer<ExplainResponse> onEach)
      throws Exception {
    Map<String, ExplainResponse> responses = new ConcurrentHashMap<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Semaphore credits = new Semaphore(window);
    StreamObserver<ExplainRequest> out = ExplainServiceGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.MINUTES)
        .explainStream(new StreamObserver<>() {
          @Override
          public void onNext(ExplainResponse r) {
            if (responses.put(r.getRequestId(), r) != null) {
              done.completeExceptionally(new AssertionError("duplicate response " + r.getRequestId()));
            }
            credits.release();
            onEach.accept(r);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    for (ExplainRequest r : requests) {
      while (!credits.tryAcquire(1, TimeUnit.SECONDS)) {
        if (done.isDone()) {
          done.get();
        }
      }
      out.onNext(r);
    }
    out.onCompleted();
    done.get(10, TimeUnit.MINUTES);
    return responses;
  }

  @Test
  void streamMixingGoodAndBadItemsAnswersEveryItem() throws Exception {
    List<ExplainRequest> requests = new ArrayList<>();
    Set<String> bad = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      String label = labels.get(i % 10);
      ExplainRequest.Builder b = request(label, 900 + i).setRequestId("item-" + i).setNumSamples(2).setSeed(i);
      switch (i % 5) {
        case 1 -> b.setEncoded(ByteString.copyFromUtf8("garbage"));
        case 3 -> b.setTargetClass(42);
        default -> { }
      }
      if (i % 5 == 1 || i % 5 == 3) {
        bad.add("item-" + i);
      }
      if (i == 7) {
        b.setModel("nosuch");
        bad.add("item-7");
      }
      requests.add(b.build());
    }
    Map<String, ExplainResponse> responses = stream(requests, 8, r -> { });
    assertEquals(40, responses.size());
    for (int i = 0; i < 40; i++) {
      ExplainResponse r = responses.get("item-" + i);
      if (bad.contains("item-" + i)) {
        assertTrue(r.hasError(), "item-" + i);
        assertEquals(0, r.getPredictionsCount());
        int expected = i == 7 ? Status.Code.NOT_FOUND.value() : Status.Code.INVALID_ARGUMENT.value();
        assertEquals(expected, r.getError().getCode(), "item-" + i + ": " + r.getError().getMessage());
        assertFalse(r.getError().getMessage().isEmpty());
      } else {
        assertFalse(r.hasError(), "item-" + i + ": " + r.getError().getMessage());
        assertEquals(2, r.getSamplesCount());
        assertEquals(i, r.getSeed());
      }
    }
    // Streamed and unary answers agree.
    ExplainResponse unary = explain().explain(requests.get(0));
    ExplainResponse streamed = responses.get("item-0");
    // Streamed items may share inference batches: equal up to float rounding.
    assertEquals(
        unary.getPredictionsList().stream().map(p -> p.getClassIndex()).toList(),
        streamed.getPredictionsList().stream().map(p -> p.getClassIndex()).toList());
    assertEquals(unary.getMask().getBits(), streamed.getMask().getBits());
    assertEquals(unary.getMask().getTargetProbability(), streamed.getMask().getTargetProbability(), 1e-4f);
    assertEquals(
        unary.getSamplesList().stream().map(Mask::getBits).toList(),
        streamed.getSamplesList().stream().map(Mask::getBits).toList());
    assertArrayEquals(
        floats(unary.getProbabilityMap().getData()), floats(streamed.getProbabilityMap().getData()), 1e-5f);
  }

  @Test
  void classConditionalGeneratorIsListedAndExplainsEachRequestsTarget() throws Exception {
    String name = "resnet20-conditional";
    ZooUploads.registerClassifier(
        channel, ZooUploads.resnetMetadata("1").toBuilder().setName(name).build(), TestData.read(TestData.resnetOnnx()));
    ModelInfo g = ZooUploads.registerGenerator(channel,
        ZooUploads.generatorMetadata("1", 0.5f).toBuilder().setClassifier(name).setDescription("conditional").build(),
        TestData.conditionalGeneratorOnnx());
    assertTrue(g.getGenerator().getClassConditional());
    assertEquals(8, g.getGenerator().getOutputHeight());
    try {
      assertTrue(admin.getModel(GetModelRequest.newBuilder().setName(name).build()).getGenerator().getClassConditional());
      Map<String, Boolean> conditional = new HashMap<>();
      for (ModelInfo m : admin.listModels(ListModelsRequest.getDefaultInstance()).getModelsList()) {
        if (m.getVersion().equals("1") && m.hasGenerator()) {
          conditional.put(m.getName(), m.getGenerator().getClassConditional());
        }
      }
      assertEquals(false, conditional.get(TestData.MODEL));
      assertEquals(true, conditional.get(name));

      // One stream, several requests for the same image: the server may merge them into one
      // generator call, and each must still get the map of its own target.
      List<ExplainRequest> requests = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ExplainRequest.Builder b = request("dog", 806).setModel(name).setRequestId("c" + i);
        if (i % 3 != 2) {
          b.setTargetClass(i % 3 == 0 ? 0 : 1);
        }
        requests.add(b.build());
      }
      Map<String, ExplainResponse> responses = stream(requests, 12, r -> { });
      assertEquals(12, responses.size());
      for (int i = 0; i < 12; i++) {
        ExplainResponse r = responses.get("c" + i);
        assertFalse(r.hasError(), r.getError().getMessage());
        int expected = i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : r.getPredictions(0).getClassIndex();
        assertEquals(expected, r.getTargetClass(), "c" + i);
        assertArrayEquals(TestData.conditionalMap(expected), floats(r.getProbabilityMap().getData()), "c" + i);
      }
      ExplainResponse unary = explain().explain(request("dog", 806).setModel(name).setTargetClass(1).build());
      assertArrayEquals(TestData.conditionalMap(1), floats(unary.getProbabilityMap().getData()));
    } finally {
      admin.deleteModel(DeleteModelRequest.newBuilder().setName(name).setVersion("1").build());
    }
  }

  @Test
  void deleteWhileServing() throws Exception {
    ZooUploads.registerClassifier(channel, ZooUploads.resnetMetadata("2"), TestData.read(TestData.resnetOnnx()));
    // Version 2 has no generator yet: explaining it is a failed precondition; latest stays 1.
    assertEquals(Status.Code.FAILED_PRECONDITION, codeOf(() -> explain().explain(request("cat", 801).setVersion("2").build())));
    assertEquals("1", explain().explain(request("cat", 801).build()).getVersion());
    ZooUploads.registerGenerator(channel, ZooUploads.generatorMetadata("2", 0.6f), TestData.generatorOnnx(16));
    ExplainResponse latest = explain().explain(request("cat", 801).build());
    assertEquals("2", latest.getVersion(), "a newly registered version is served at once");
    assertEquals(0.6f, latest.getThreshold());

    List<ExplainRequest> requests = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      requests.add(request(labels.get(i % 10), 800 + i / 10).setVersion("2").setRequestId("d" + i).build());
    }
    CompletableFuture<Boolean> deleted = new CompletableFuture<>();
    int[] seen = {0};
    Map<String, ExplainResponse> responses = stream(requests, 8, r -> {
      synchronized (seen) {
        if (++seen[0] == 20) {
          // Delete from another thread while the stream is in full flow.
          CompletableFuture.runAsync(() -> deleted.complete(admin.deleteModel(
              DeleteModelRequest.newBuilder().setName(TestData.MODEL).setVersion("2").build()).getDeleted()));
        }
      }
    });
    assertTrue(deleted.get(30, TimeUnit.SECONDS));
    assertEquals(200, responses.size(), "every item is answered");
    int ok = 0;
    for (ExplainResponse r : responses.values()) {
      if (r.hasError()) {
        assertEquals(Status.Code.NOT_FOUND.value(), r.getError().getCode(), r.getError().getMessage());
      } else {
        assertEquals("2", r.getVersion());
        ok++;
      }
    }
    assertTrue(ok >= 20, "items before the delete succeeded: " + ok);
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> explain().explain(request("cat", 801).setVersion("2").build())));
    assertEquals("1", explain().explain(request("cat", 801).build()).getVersion());
    assertFalse(admin.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
        .anyMatch(m -> m.getVersion().equals("2")));
  }

  @Test
  void healthIsServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        health.check(HealthCheckRequest.newBuilder().setService(ExplainServiceGrpc.SERVICE_NAME).build()).getStatus());
  }

  @Test
  void reflectionListsTheServices() throws Exception {
    FutureObserver<ServerReflectionResponse> responses = new FutureObserver<>();
    CompletableFuture<ServerReflectionResponse> answer = responses.future();
    StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(responses);
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ServerReflectionResponse r = answer.get(10, TimeUnit.SECONDS);
    req.onCompleted();
    Set<String> services = new HashSet<>();
    for (ServiceResponse s : r.getListServicesResponse().getServiceList()) {
      services.add(s.getName());
    }
    assertTrue(services.containsAll(Set.of(
        "maskserve.v1.ExplainService", "maskserve.v1.ModelZooService", "grpc.health.v1.Health")), services.toString());
  }

  @Test
  void imagenetModelWithResizeAndLargeInput() throws Exception {
    io.maskserve.v1.ClassifierMetadata.Builder meta = io.maskserve.v1.ClassifierMetadata.newBuilder()
        .setName("mobilenet").setVersion("1").addAllLabels(TestData.mobilenetLabels())
        .setInputHeight(224).setInputWidth(224).setResizeMode(io.maskserve.v1.ResizeMode.RESIZE);
    for (int c = 0; c < 3; c++) {
      meta.addMean(0.50196f).addStd(0.50196f);
    }
    // This class's server allows 4 MiB uploads and 64x64 images: MobileNet needs a second server
    // (on the same zoo, as two processes could share one).
    try (MaskserveServer big = MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(0).build())) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", big.port()).usePlaintext().build();
      try {
        ZooUploads.registerClassifier(ch, meta.build(), TestData.read(TestData.mobilenetOnnx()));
        ZooUploads.registerGenerator(ch,
            io.maskserve.v1.GeneratorMetadata.newBuilder().setClassifier("mobilenet").setVersion("1").build(),
            io.maskserve.zoo.onnx.ReferenceGenerators.contrastGenerator(TestData.IMAGENET_INPUT, 28, 28));
        ExplainServiceGrpc.ExplainServiceBlockingStub stub =
            ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(120, TimeUnit.SECONDS);
        List<TestData.LabelledImage> images = TestData.ilsvrc(40);
        int correct = 0;
        for (int i = 0; i < images.size(); i++) {
          ExplainResponse r = stub.explain(ExplainRequest.newBuilder()
              .setModel("mobilenet")
              .setEncoded(ByteString.copyFrom(TestData.read(images.get(i).file())))
              .setNumSamples(i == 0 ? 8 : 0)
              .setSeed(5)
              .setIncludeOverlayPng(i == 0)
              .build());
          correct += r.getPredictions(0).getClassIndex() == images.get(i).label() ? 1 : 0;
          assertEquals(224, r.getProbabilityMap().getHeight());
          assertEquals(224 * 224 * 4, r.getProbabilityMap().getData().size());
          assertEquals(0.35f, r.getThreshold(), 1e-6f, "the zoo's default threshold");
          float[] map = floats(r.getProbabilityMap().getData());
          for (int p = 0; p < map.length; p += 97) {
            assertEquals(map[p] >= r.getThreshold(), bit(r.getMask(), p));
          }
          if (i == 0) {
            assertEquals(8, r.getSamplesCount());
            BufferedImage overlay = ImageIO.read(new java.io.ByteArrayInputStream(r.getOverlayPng().toByteArray()));
            assertEquals(224, overlay.getWidth(), "large inputs are not upscaled");
          }
        }
        double top1 = (double) correct / images.size();
        System.out.printf("mobilenet top-1 on %d ILSVRC images: %.3f%n", images.size(), top1);
        // Reference 0.7877 on all 1,300; 40 images leave about +-0.065 of sampling noise.
        assertTrue(top1 >= TestData.MOBILENET_REFERENCE_TOP1 - 0.2, "top-1 " + top1);
        assertTrue(ModelZooServiceGrpc.newBlockingStub(ch).deleteModel(
            DeleteModelRequest.newBuilder().setName("mobilenet").setVersion("1").build()).getDeleted());
      } finally {
        ch.shutdownNow();
      }
    }
  }

  /** Streams images of every class with num_samples 0 and returns top-1 accuracy. */
  private double servedAccuracy(int from, int to) throws Exception {
    List<ExplainRequest> requests = new ArrayList<>();
    Map<String, Integer> truth = new HashMap<>();
    for (int c = 0; c < labels.size(); c++) {
      for (int i = from; i < to; i++) {
        String id = labels.get(c) + "/" + i;
        requests.add(request(labels.get(c), i).build());
        truth.put(id, c);
      }
    }
    long t0 = System.nanoTime();
    Map<String, ExplainResponse> responses = stream(requests, 32, r -> { });
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(requests.size(), responses.size());
    int correct = 0;
    for (ExplainResponse r : responses.values()) {
      assertFalse(r.hasError(), r.getError().getMessage());
      if (r.getPredictions(0).getClassIndex() == truth.get(r.getRequestId())) {
        correct++;
      }
    }
    double acc = (double) correct / requests.size();
    System.out.printf("served accuracy on %d images: %.4f in %.1f s (%.0f images/s)%n",
        requests.size(), acc, seconds, requests.size() / seconds);
    return acc;
  }

  @Test
  void servedAccuracyOnAllTenThousandImagesMatchesTheReference() throws Exception {
    // All 10,000 CIFAR-10 test JPEGs through ExplainStream (about 20 s on 2 cores).
    assertEquals(TestData.REFERENCE_ACCURACY, servedAccuracy(0, 1000), 0.002);
  }
}
