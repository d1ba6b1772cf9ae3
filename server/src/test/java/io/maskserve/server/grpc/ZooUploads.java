package io.maskserve.server.grpc;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.maskserve.server.TestData;
import io.maskserve.v1.ClassifierMetadata;
import io.maskserve.v1.GeneratorMetadata;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.v1.RegisterClassifierRequest;
import io.maskserve.v1.RegisterGeneratorRequest;
import io.maskserve.v1.ResizeMode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Client side of the zoo's streaming registrations, for tests. */
public final class ZooUploads {

  public static final int CHUNK = 64 * 1024;

  private ZooUploads() {}

  /** ResNet-20's metadata. */
  public static ClassifierMetadata resnetMetadata(String version) {
    ClassifierMetadata.Builder b = ClassifierMetadata.newBuilder()
        .setName(TestData.MODEL)
        .setVersion(version)
        .addAllLabels(TestData.labels())
        .setInputHeight(32)
        .setInputWidth(32)
        .setResizeMode(ResizeMode.RESIZE)
        .setDescription("ResNet-20 CIFAR-10");
    for (float m : new float[] {0.485f, 0.456f, 0.406f}) {
      b.addMean(m);
    }
    for (float s : new float[] {0.229f, 0.224f, 0.225f}) {
      b.addStd(s);
    }
    return b.build();
  }

  public static GeneratorMetadata generatorMetadata(String version, float threshold) {
    return GeneratorMetadata.newBuilder()
        .setClassifier(TestData.MODEL)
        .setVersion(version)
        .setThreshold(threshold)
        .setDescription("reference contrast generator")
        .build();
  }

  /** Registers a classifier; throws the call's StatusRuntimeException on failure. */
  public static ModelInfo registerClassifier(ManagedChannel ch, ClassifierMetadata meta, byte[] onnx) {
    return upload(
        obs -> ModelZooServiceGrpc.newStub(ch).registerClassifier(obs),
        RegisterClassifierRequest.newBuilder().setMetadata(meta).build(),
        c -> RegisterClassifierRequest.newBuilder().setChunk(c).build(),
        onnx);
  }

  /** Registers a generator; throws the call's StatusRuntimeException on failure. */
  public static ModelInfo registerGenerator(ManagedChannel ch, GeneratorMetadata meta, byte[] onnx) {
    return upload(
        obs -> ModelZooServiceGrpc.newStub(ch).registerGenerator(obs),
        RegisterGeneratorRequest.newBuilder().setMetadata(meta).build(),
        c -> RegisterGeneratorRequest.newBuilder().setChunk(c).build(),
        onnx);
  }

  /** Sends {@code first} then {@code onnx} in chunks; returns the ModelInfo. */
  public static <R> ModelInfo upload(
      Function<StreamObserver<ModelInfo>, StreamObserver<R>> call,
      R first,
      Function<ByteString, R> chunk,
      byte[] onnx) {
    FutureObserver<ModelInfo> responses = new FutureObserver<>();
    CompletableFuture<ModelInfo> result = responses.future();
    StreamObserver<R> requests = call.apply(responses);
    if (first != null) {
      requests.onNext(first);
    }
    for (int off = 0; off < onnx.length && !result.isDone(); off += CHUNK) {
      requests.onNext(chunk.apply(ByteString.copyFrom(onnx, off, Math.min(CHUNK, onnx.length - off))));
    }
    requests.onCompleted();
    try {
      return result.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
