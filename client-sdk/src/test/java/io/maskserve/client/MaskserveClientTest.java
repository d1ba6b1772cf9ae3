package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.maskserve.v1.ArtifactInfo;
import io.maskserve.v1.ClassifierMetadata;
import io.maskserve.v1.DeleteModelRequest;
import io.maskserve.v1.DeleteModelResponse;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.GeneratorMetadata;
import io.maskserve.v1.GetModelRequest;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ListModelsResponse;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.v1.Prediction;
import io.maskserve.v1.RegisterClassifierRequest;
import io.maskserve.v1.RegisterGeneratorRequest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against tiny in-process fakes of both services. */
@Timeout(30)
class MaskserveClientTest {

  private Server server;
  private ManagedChannel channel;
  private MaskserveClient client;
  private final FakeZoo zoo = new FakeZoo();

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new FakeExplain())
            .addService(zoo)
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    client = MaskserveClient.forChannel(channel).build();
  }

  @AfterEach
  void stop() {
    client.close();
    channel.shutdownNow();
    server.shutdownNow();
  }

  private static ExplainRequest req(String model, String id) {
    return ExplainRequest.newBuilder().setModel(model).setRequestId(id).build();
  }

  @Test
  void blockingExplain() {
    ExplainResponse r = client.explain(req("resnet20", "a"));
    assertEquals("a", r.getRequestId());
    assertEquals("resnet20", r.getModel());
    assertEquals("1", r.getVersion());
    assertEquals("cat", r.getPredictions(0).getLabel());
  }

  @Test
  void blockingExplainFailureCarriesTheStatus() {
    MaskserveException e = assertThrows(MaskserveException.class, () -> client.explain(req("missing", "a")));
    assertEquals(Status.Code.NOT_FOUND, e.code());
    assertEquals("model 'missing' not found", e.description());
    assertEquals("NOT_FOUND: model 'missing' not found", e.getMessage());
  }

  @Test
  void asyncExplain() {
    assertEquals("b", client.explainAsync(req("resnet20", "b")).join().getRequestId());
    CompletionException e =
        assertThrows(CompletionException.class, () -> client.explainAsync(req("missing", "c")).join());
    MaskserveException m = assertInstanceOf(MaskserveException.class, e.getCause());
    assertEquals(Status.Code.NOT_FOUND, m.code());
  }

  @Test
  void streamMatchesEveryRequestAndPassesItemErrorsThrough() {
    List<ExplainRequest> requests =
        IntStream.range(0, 300)
            .mapToObj(i -> req(i % 100 == 7 ? "bad" : "resnet20", "r" + i))
            .collect(Collectors.toList());
    List<ExplainResponse> got = new CopyOnWriteArrayList<>();
    long n = client.explainStream(requests, got::add);
    assertEquals(300, n);
    Set<String> ids = got.stream().map(ExplainResponse::getRequestId).collect(Collectors.toSet());
    assertEquals(300, ids.size());
    List<ExplainResponse> errors = got.stream().filter(ExplainResponse::hasError).collect(Collectors.toList());
    assertEquals(3, errors.size());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), errors.get(0).getError().getCode());
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        MaskserveException.fromStatusProto(errors.get(0).getError()).code());
  }

  @Test
  void streamConsumerFailureCancelsAndIsRethrown() {
    List<ExplainRequest> requests =
        IntStream.range(0, 50).mapToObj(i -> req("resnet20", "r" + i)).collect(Collectors.toList());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                client.explainStream(
                    requests,
                    r -> {
                      throw new IllegalStateException("consumer broke");
                    }));
    assertEquals("consumer broke", e.getMessage());
  }

  @Test
  void streamAsyncCompletesWithTheCount() {
    List<ExplainRequest> requests = List.of(req("resnet20", "x"), req("resnet20", "y"));
    assertEquals(2L, client.explainStreamAsync(requests.iterator(), r -> {}).join());
  }

  @Test
  void registerClassifierStreamsOneMebibyteChunksWithTheChecksum(@TempDir Path dir) throws Exception {
    byte[] onnx = new byte[(5 << 19) + 17]; // 2.5 MiB + 17 bytes
    for (int i = 0; i < onnx.length; i++) {
      onnx[i] = (byte) (i * 31);
    }
    Path file = dir.resolve("classifier.onnx");
    Files.write(file, onnx);
    ClassifierMetadata meta =
        ClassifierMetadata.newBuilder().setName("resnet20").setVersion("1").addLabels("cat").build();
    ModelInfo info = client.registerClassifier(meta, file);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx));
    assertEquals(sha, zoo.lastClassifierMeta.getSha256());
    assertEquals(List.of(1 << 20, 1 << 20, (1 << 19) + 17), zoo.chunkSizes);
    assertEquals(sha, info.getClassifier().getSha256());
    assertEquals(onnx.length, info.getClassifier().getSizeBytes());
    assertEquals(sha, MaskserveClient.sha256(file));
  }

  @Test
  void registerGeneratorKeepsAGivenChecksumAndReportsServerRejection(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("generator.onnx");
    Files.write(file, new byte[] {1, 2, 3});
    GeneratorMetadata meta =
        GeneratorMetadata.newBuilder().setClassifier("resnet20").setVersion("1").setSha256("00".repeat(32)).build();
    MaskserveException e = assertThrows(MaskserveException.class, () -> client.registerGenerator(meta, file));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertTrue(e.description().contains("sha256"), e.getMessage());

    ModelInfo ok = client.registerGenerator(meta.toBuilder().clearSha256().build(), file);
    assertEquals(3, ok.getGenerator().getArtifact().getSizeBytes());
    assertTrue(ok.getGenerator().getClassConditional());
  }

  @Test
  void registerFromAMissingFileFailsLocally(@TempDir Path dir) {
    ClassifierMetadata meta = ClassifierMetadata.newBuilder().setName("m").setVersion("1").build();
    assertThrows(
        java.io.UncheckedIOException.class, () -> client.registerClassifier(meta, dir.resolve("none.onnx")));
  }

  @Test
  void listGetDelete() {
    zoo.models.put("resnet20:1", ModelInfo.newBuilder().setName("resnet20").setVersion("1").build());
    zoo.models.put("resnet20:2", ModelInfo.newBuilder().setName("resnet20").setVersion("2").build());
    zoo.models.put("other:1", ModelInfo.newBuilder().setName("other").setVersion("1").build());
    assertEquals(3, client.listModels().size());
    assertEquals(2, client.listModels("resnet20").size());
    assertEquals("2", client.getModel("resnet20", "2").getVersion());
    assertTrue(client.deleteModel("resnet20", "2", false));
    assertFalse(client.deleteModel("resnet20", "2", false));
    MaskserveException e = assertThrows(MaskserveException.class, () -> client.getModel("resnet20", "2"));
    assertEquals(Status.Code.NOT_FOUND, e.code());
  }

  /** Echoes requests; model "missing" is NOT_FOUND, model "bad" is an item error in streams. */
  private static final class FakeExplain extends ExplainServiceGrpc.ExplainServiceImplBase {
    static ExplainResponse answer(ExplainRequest r) {
      return ExplainResponse.newBuilder()
          .setRequestId(r.getRequestId())
          .setModel(r.getModel())
          .setVersion("1")
          .addPredictions(Prediction.newBuilder().setClassIndex(3).setLabel("cat").setProbability(0.9f))
          .build();
    }

    @Override
    public void explain(ExplainRequest request, StreamObserver<ExplainResponse> out) {
      if (request.getModel().equals("missing")) {
        out.onError(Status.NOT_FOUND.withDescription("model 'missing' not found").asRuntimeException());
        return;
      }
      out.onNext(answer(request));
      out.onCompleted();
    }

    @Override
    public StreamObserver<ExplainRequest> explainStream(StreamObserver<ExplainResponse> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(ExplainRequest r) {
          if (r.getModel().equals("bad")) {
            out.onNext(
                ExplainResponse.newBuilder()
                    .setRequestId(r.getRequestId())
                    .setError(
                        com.google.rpc.Status.newBuilder()
                            .setCode(Status.Code.INVALID_ARGUMENT.value())
                            .setMessage("cannot decode image"))
                    .build());
          } else {
            out.onNext(answer(r));
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  /** Records uploads and checks their checksum like the real zoo does. */
  private static final class FakeZoo extends ModelZooServiceGrpc.ModelZooServiceImplBase {
    final ConcurrentHashMap<String, ModelInfo> models = new ConcurrentHashMap<>();
    final List<Integer> chunkSizes = new ArrayList<>();
    volatile ClassifierMetadata lastClassifierMeta;

    private static String sha(byte[] b) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public StreamObserver<RegisterClassifierRequest> registerClassifier(StreamObserver<ModelInfo> out) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      return new StreamObserver<>() {
        @Override
        public void onNext(RegisterClassifierRequest r) {
          if (r.hasMetadata()) {
            lastClassifierMeta = r.getMetadata();
          } else {
            chunkSizes.add(r.getChunk().size());
            bytes.writeBytes(r.getChunk().toByteArray());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          byte[] b = bytes.toByteArray();
          String actual = sha(b);
          if (!actual.equals(lastClassifierMeta.getSha256())) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("sha256 mismatch").asRuntimeException());
            return;
          }
          out.onNext(
              ModelInfo.newBuilder()
                  .setName(lastClassifierMeta.getName())
                  .setVersion(lastClassifierMeta.getVersion())
                  .setClassifier(ArtifactInfo.newBuilder().setSha256(actual).setSizeBytes(b.length))
                  .build());
          out.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<RegisterGeneratorRequest> registerGenerator(StreamObserver<ModelInfo> out) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      GeneratorMetadata[] meta = new GeneratorMetadata[1];
      return new StreamObserver<>() {
        @Override
        public void onNext(RegisterGeneratorRequest r) {
          if (r.hasMetadata()) {
            meta[0] = r.getMetadata();
          } else {
            ByteString c = r.getChunk();
            bytes.writeBytes(c.toByteArray());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          byte[] b = bytes.toByteArray();
          if (!sha(b).equals(meta[0].getSha256())) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("sha256 mismatch").asRuntimeException());
            return;
          }
          out.onNext(
              ModelInfo.newBuilder()
                  .setName(meta[0].getClassifier())
                  .setVersion(meta[0].getVersion())
                  .setGenerator(
                      io.maskserve.v1.GeneratorInfo.newBuilder()
                          .setArtifact(ArtifactInfo.newBuilder().setSha256(sha(b)).setSizeBytes(b.length))
                          .setClassConditional(true))
                  .build());
          out.onCompleted();
        }
      };
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
      ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
      models.values().stream()
          .filter(m -> request.getName().isEmpty() || m.getName().equals(request.getName()))
          .forEach(b::addModels);
      out.onNext(b.build());
      out.onCompleted();
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<ModelInfo> out) {
      ModelInfo m = models.get(request.getName() + ":" + request.getVersion());
      if (m == null) {
        out.onError(Status.NOT_FOUND.withDescription("no such version").asRuntimeException());
        return;
      }
      out.onNext(m);
      out.onCompleted();
    }

    @Override
    public void deleteModel(DeleteModelRequest request, StreamObserver<DeleteModelResponse> out) {
      boolean deleted = models.remove(request.getName() + ":" + request.getVersion()) != null;
      out.onNext(DeleteModelResponse.newBuilder().setDeleted(deleted).build());
      out.onCompleted();
    }
  }
}
