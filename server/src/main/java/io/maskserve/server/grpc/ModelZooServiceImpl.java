package io.maskserve.server.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.v1.DeleteModelRequest;
import io.maskserve.v1.DeleteModelResponse;
import io.maskserve.v1.GetModelRequest;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ListModelsResponse;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.v1.RegisterClassifierRequest;
import io.maskserve.v1.RegisterGeneratorRequest;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelNames;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.ZooStore;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ModelZooService over a {@link ZooStore}. Uploads stream through a {@link ChunkPipe} into the
 * store on an upload thread, never holding more than a few chunks in memory; the store validates
 * and publishes atomically. Every change is followed by a registry refresh so that explanations
 * see it at once.
 */
public final class ModelZooServiceImpl extends ModelZooServiceGrpc.ModelZooServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(ModelZooServiceImpl.class);

  /** Chunks buffered per upload: enough to keep the reader busy, little memory. */
  static final int UPLOAD_WINDOW = 4;

  private final ZooStore store;
  private final ModelRegistry registry;
  private final ZooTranslator translator;
  private final StatusMapper statuses;
  private final ServerLimits limits;
  private final Executor uploads;
  private final Duration uploadIdleTimeout;

  /**
   * @param uploads runs the store side of uploads (one blocked thread per upload in progress)
   * @param uploadIdleTimeout how long an upload may send nothing before it fails
   */
  public ModelZooServiceImpl(
      ZooStore store,
      ModelRegistry registry,
      ZooTranslator translator,
      StatusMapper statuses,
      ServerLimits limits,
      Executor uploads,
      Duration uploadIdleTimeout) {
    this.store = Objects.requireNonNull(store, "store");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.translator = Objects.requireNonNull(translator, "translator");
    this.statuses = Objects.requireNonNull(statuses, "statuses");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.uploads = Objects.requireNonNull(uploads, "uploads");
    this.uploadIdleTimeout = Objects.requireNonNull(uploadIdleTimeout, "uploadIdleTimeout");
  }

  @Override
  public StreamObserver<RegisterClassifierRequest> registerClassifier(StreamObserver<ModelInfo> responseObserver) {
    return new Upload<>(
        (ServerCallStreamObserver<ModelInfo>) responseObserver,
        "classifier",
        r -> switch (r.getPartCase()) {
          case METADATA -> Part.METADATA;
          case CHUNK -> Part.CHUNK;
          case PART_NOT_SET -> Part.NONE;
        },
        RegisterClassifierRequest::getChunk,
        (r, in) -> store.registerClassifier(translator.toRegistration(r.getMetadata()), in));
  }

  @Override
  public StreamObserver<RegisterGeneratorRequest> registerGenerator(StreamObserver<ModelInfo> responseObserver) {
    return new Upload<>(
        (ServerCallStreamObserver<ModelInfo>) responseObserver,
        "generator",
        r -> switch (r.getPartCase()) {
          case METADATA -> Part.METADATA;
          case CHUNK -> Part.CHUNK;
          case PART_NOT_SET -> Part.NONE;
        },
        RegisterGeneratorRequest::getChunk,
        (r, in) -> store.registerGenerator(translator.toRegistration(r.getMetadata()), in));
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> responseObserver) {
    try {
      ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
      for (ModelManifest m : store.list()) {
        if (request.getName().isEmpty() || request.getName().equals(m.name())) {
          b.addModels(translator.toInfo(m));
        }
      }
      responseObserver.onNext(b.build());
      responseObserver.onCompleted();
    } catch (RuntimeException e) {
      responseObserver.onError(statuses.toException(e));
    }
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<ModelInfo> responseObserver) {
    try {
      ModelNames.requireValidName(request.getName());
      ModelManifest m = (request.getVersion().isEmpty()
              ? store.latest(request.getName(), false)
              : store.get(new ModelKey(request.getName(), request.getVersion())))
          .orElseThrow(() -> notFound(request.getName(), request.getVersion()));
      responseObserver.onNext(translator.toInfo(m));
      responseObserver.onCompleted();
    } catch (RuntimeException e) {
      responseObserver.onError(statuses.toException(e));
    }
  }

  @Override
  public void deleteModel(DeleteModelRequest request, StreamObserver<DeleteModelResponse> responseObserver) {
    try {
      boolean deleted = store.delete(new ModelKey(request.getName(), request.getVersion()), request.getGeneratorOnly());
      if (deleted) {
        log.info(
            "model deleted name={} version={} generatorOnly={}",
            request.getName(), request.getVersion(), request.getGeneratorOnly());
        registry.refresh();
      }
      responseObserver.onNext(DeleteModelResponse.newBuilder().setDeleted(deleted).build());
      responseObserver.onCompleted();
    } catch (RuntimeException e) {
      responseObserver.onError(statuses.toException(e));
    }
  }

  private ZooException notFound(String name, String version) {
    String available = store.list().stream()
        .map(m -> m.name() + ":" + m.version())
        .collect(Collectors.joining(", "));
    return new ZooException(
        ZooException.Reason.NOT_FOUND,
        "model '" + name + (version.isEmpty() ? "" : ":" + version) + "' not found; available: "
            + (available.isEmpty() ? "(none)" : available));
  }

  private enum Part {
    METADATA,
    CHUNK,
    NONE
  }

  /** Publishes from a request carrying metadata and a stream of the ONNX bytes. */
  private interface Publisher<R> extends BiFunction<R, InputStream, ModelManifest> {}

  /**
   * One registration call: the first message carries the metadata and starts the store's
   * registration on an upload thread, reading from a {@link ChunkPipe} that the following chunks
   * feed. Exactly one of a ModelInfo or an error is sent.
   */
  private final class Upload<R> implements StreamObserver<R> {
    private final ServerCallStreamObserver<ModelInfo> out;
    private final String what;
    private final java.util.function.Function<R, Part> partOf;
    private final java.util.function.Function<R, ByteString> chunkOf;
    private final Publisher<R> publisher;
    // Set by the first message (gRPC delivers messages serially); read by the cancel handler.
    private volatile ChunkPipe pipe;
    private long received;
    private boolean answered; // guarded by this

    Upload(
        ServerCallStreamObserver<ModelInfo> out,
        String what,
        java.util.function.Function<R, Part> partOf,
        java.util.function.Function<R, ByteString> chunkOf,
        Publisher<R> publisher) {
      this.out = out;
      this.what = what;
      this.partOf = partOf;
      this.chunkOf = chunkOf;
      this.publisher = publisher;
      out.disableAutoRequest();
      out.setOnCancelHandler(() -> {
        if (pipe != null) {
          pipe.fail(new IOException("upload cancelled by the client"));
        }
      });
      out.request(1);
    }

    @Override
    public void onNext(R request) {
      if (isAnswered()) {
        return;
      }
      Part part = partOf.apply(request);
      if (pipe == null) {
        if (part != Part.METADATA) {
          answerError(Status.INVALID_ARGUMENT.withDescription("the first message must carry the metadata"));
          return;
        }
        start(request);
        return;
      }
      if (part != Part.CHUNK) {
        fail(Status.INVALID_ARGUMENT.withDescription("after the metadata only chunks may follow"));
        return;
      }
      ByteString chunk = chunkOf.apply(request);
      received += chunk.size();
      if (received > limits.maxUploadBytes()) {
        fail(Status.RESOURCE_EXHAUSTED.withDescription(
            "the " + what + " file exceeds this server's upload limit of " + limits.maxUploadBytes() + " bytes"));
        return;
      }
      pipe.offer(chunk);
    }

    private void start(R metadata) {
      pipe = new ChunkPipe(this::requestOne, uploadIdleTimeout);
      try {
        uploads.execute(() -> publish(metadata));
      } catch (RejectedExecutionException e) {
        answerError(Status.UNAVAILABLE.withDescription("server is shutting down"));
        return;
      }
      out.request(UPLOAD_WINDOW);
    }

    private void requestOne() {
      try {
        out.request(1);
      } catch (RuntimeException e) {
        // The call already ended (answered or cancelled): nothing more to read.
        log.debug("upload request after close: {}", e.toString());
      }
    }

    private void publish(R metadata) {
      try {
        ModelManifest m = publisher.apply(metadata, pipe);
        log.debug("{} registered name={} version={}", what, m.name(), m.version());
        registry.refresh();
        synchronized (this) {
          if (answered) {
            return;
          }
          answered = true;
        }
        out.onNext(translator.toInfo(m));
        out.onCompleted();
      } catch (RuntimeException e) {
        answerError(statuses.toStatus(e));
      } finally {
        try {
          pipe.close();
        } catch (IOException ignored) {
          // nothing to release
        }
      }
    }

    private void fail(Status status) {
      pipe.fail(new IOException(status.getDescription()));
      answerError(status);
    }

    private synchronized boolean isAnswered() {
      return answered;
    }

    private void answerError(Status status) {
      synchronized (this) {
        if (answered) {
          return;
        }
        answered = true;
      }
      if (!out.isCancelled()) {
        try {
          out.onError(status.asRuntimeException());
        } catch (RuntimeException e) {
          log.debug("could not send upload error: {}", e.toString());
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      if (pipe != null) {
        pipe.fail(new IOException("upload aborted by the client: " + t.getMessage()));
      }
    }

    @Override
    public void onCompleted() {
      if (pipe == null) {
        answerError(Status.INVALID_ARGUMENT.withDescription("no metadata was sent"));
      } else {
        pipe.finish();
      }
    }
  }
}
