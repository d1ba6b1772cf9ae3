package io.maskserve.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.maskserve.v1.ClassifierMetadata;
import io.maskserve.v1.DeleteModelRequest;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.GeneratorMetadata;
import io.maskserve.v1.GetModelRequest;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.v1.RegisterClassifierRequest;
import io.maskserve.v1.RegisterGeneratorRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Client of a maskserve server: explanations ({@code maskserve.v1.ExplainService}) and zoo
 * administration ({@code maskserve.v1.ModelZooService}).
 *
 * <pre>{@code
 * try (MaskserveClient client = MaskserveClient.forTarget("localhost:50051").build()) {
 *   ExplainResponse r = client.explain(ExplainRequests.fromImageFile(Path.of("cat.jpg"), "resnet20"));
 *   boolean[][] kept = Masks.unpack(r.getMask());
 * }
 * }</pre>
 *
 * <p>Thread-safe; create one per server and share it. Every failure is a {@link
 * MaskserveException} carrying the gRPC status code (futures complete exceptionally with one).
 * Unary calls (explain and the zoo calls) get the {@linkplain Builder#deadline default deadline};
 * uploads get the {@linkplain Builder#uploadDeadline upload deadline}; streams have none unless
 * {@link Builder#streamDeadline} is set.
 */
public final class MaskserveClient implements AutoCloseable {

  /** Size of the chunks an ONNX file is uploaded in: 1 MiB. */
  public static final int CHUNK_SIZE = 1 << 20;
  /** Default deadline of unary calls. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  /** Default deadline of an ONNX upload. */
  public static final Duration DEFAULT_UPLOAD_DEADLINE = Duration.ofMinutes(10);
  /** Default limit on the size of one response message: 64 MiB. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 64 << 20;

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final Duration deadline;
  private final Duration uploadDeadline;
  private final Duration streamDeadline;
  private final CallOptions baseOptions;

  private MaskserveClient(
      ManagedChannel channel,
      boolean ownsChannel,
      Duration deadline,
      Duration uploadDeadline,
      Duration streamDeadline,
      int maxInboundMessageSize,
      CallCredentials callCredentials) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.deadline = deadline;
    this.uploadDeadline = uploadDeadline;
    this.streamDeadline = streamDeadline;
    // Credentials ride on the call options, so they apply to channels passed in by forChannel too.
    this.baseOptions = CallOptions.DEFAULT
        .withMaxInboundMessageSize(maxInboundMessageSize)
        .withCallCredentials(callCredentials);
  }

  /**
   * A builder for a client of the server at {@code target}: {@code host:port} (or any gRPC
   * target such as {@code dns:///host:port}). Plaintext unless {@link Builder#useTls()}, {@link
   * Builder#tls(Path)} or {@link Builder#mtls(Path, Path)}; add {@link Builder#token(String)} for a
   * server that requires bearer tokens.
   */
  public static Builder forTarget(String target) {
    Objects.requireNonNull(target, "target");
    if (target.isBlank()) {
      throw new IllegalArgumentException("target must be host:port");
    }
    return new Builder(target, null);
  }

  /**
   * A builder for a client over an existing channel (e.g. an in-process one in tests). The
   * client does not own the channel: {@link #close()} leaves it open. TLS options are ignored.
   */
  public static Builder forChannel(ManagedChannel channel) {
    return new Builder(null, Objects.requireNonNull(channel, "channel"));
  }

  /** The underlying channel. */
  public ManagedChannel channel() {
    return channel;
  }

  /**
   * A client sharing this one's channel whose unary calls use {@code newDeadline} instead. It does
   * not own the channel; closing it does nothing.
   */
  public MaskserveClient withDeadline(Duration newDeadline) {
    return new MaskserveClient(
        channel,
        false,
        requirePositive(newDeadline, "deadline"),
        uploadDeadline,
        streamDeadline,
        baseOptions.getMaxInboundMessageSize(),
        baseOptions.getCredentials());
  }

  // ---------------------------------------------------------------- explain

  /** Explains one image, blocking until the response arrives. */
  public ExplainResponse explain(ExplainRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      return ClientCalls.blockingUnaryCall(
          channel, ExplainServiceGrpc.getExplainMethod(), withDeadline(baseOptions, deadline), request);
    } catch (StatusRuntimeException e) {
      throw MaskserveException.from(e);
    }
  }

  /**
   * Explains one image without blocking. The future completes with the response or exceptionally
   * with a {@link MaskserveException}; cancelling it cancels the call.
   */
  public CompletableFuture<ExplainResponse> explainAsync(ExplainRequest request) {
    Objects.requireNonNull(request, "request");
    ClientCall<ExplainRequest, ExplainResponse> call =
        channel.newCall(ExplainServiceGrpc.getExplainMethod(), withDeadline(baseOptions, deadline));
    CompletableFuture<ExplainResponse> future = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(call, request, new UnaryObserver<>(future));
    future.whenComplete(
        (r, t) -> {
          if (future.isCancelled()) {
            call.cancel("cancelled by the caller", null);
          }
        });
    return future;
  }

  /**
   * Explains a stream of images over one {@code ExplainStream} call, blocking until the server
   * has answered every request. Flow-controlled both ways: requests are pulled from {@code
   * requests} only while the transport can take them, and the next response is requested only
   * after {@code onResponse} returned, so a slow consumer slows the server down instead of filling
   * memory. {@code onResponse} runs on a gRPC thread, one response at a time. A failed item is a
   * response with {@code error} set (the stream goes on); responses may come out of order, match
   * them by {@code request_id}.
   *
   * @return the number of responses received
   * @throws MaskserveException if the call failed; an exception thrown by {@code requests} or
   *     {@code onResponse} cancels the call and is rethrown as is
   */
  public long explainStream(
      Iterable<? extends ExplainRequest> requests, Consumer<? super ExplainResponse> onResponse) {
    return await(explainStreamAsync(requests.iterator(), onResponse));
  }

  /**
   * Non-blocking {@link #explainStream}: the future completes with the number of responses when
   * the server finishes the stream, exceptionally on failure; cancelling it cancels the call.
   * {@code requests.next()} is called on gRPC threads, so it should not block for long.
   */
  public CompletableFuture<Long> explainStreamAsync(
      Iterator<? extends ExplainRequest> requests, Consumer<? super ExplainResponse> onResponse) {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(onResponse, "onResponse");
    CallOptions options = streamDeadline == null ? baseOptions : withDeadline(baseOptions, streamDeadline);
    ClientCall<ExplainRequest, ExplainResponse> call =
        channel.newCall(ExplainServiceGrpc.getExplainStreamMethod(), options);
    CompletableFuture<Long> future = new CompletableFuture<>();
    StreamDriver driver = new StreamDriver(requests, onResponse, future);
    ClientCalls.asyncBidiStreamingCall(call, driver);
    future.whenComplete(
        (r, t) -> {
          if (future.isCancelled()) {
            call.cancel("cancelled by the caller", null);
          }
        });
    return future;
  }

  /** Drives one ExplainStream call with flow control on both directions. */
  private static final class StreamDriver
      implements ClientResponseObserver<ExplainRequest, ExplainResponse> {
    private final Iterator<? extends ExplainRequest> requests;
    private final Consumer<? super ExplainResponse> onResponse;
    private final CompletableFuture<Long> future;
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> localFailure = new AtomicReference<>();
    private ClientCallStreamObserver<ExplainRequest> out;
    private boolean halfClosed;

    StreamDriver(
        Iterator<? extends ExplainRequest> requests,
        Consumer<? super ExplainResponse> onResponse,
        CompletableFuture<Long> future) {
      this.requests = requests;
      this.onResponse = onResponse;
      this.future = future;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ExplainRequest> requestStream) {
      this.out = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
      requestStream.setOnReadyHandler(this::drain);
    }

    // Called on the call's serialising executor whenever the transport can take more.
    private void drain() {
      if (halfClosed) {
        return;
      }
      try {
        while (out.isReady()) {
          if (!requests.hasNext()) {
            halfClosed = true;
            out.onCompleted();
            return;
          }
          out.onNext(Objects.requireNonNull(requests.next(), "null request"));
        }
      } catch (RuntimeException e) {
        halfClosed = true;
        localFailure.compareAndSet(null, e);
        out.cancel("reading the requests failed", e);
        future.completeExceptionally(e); // do not rely on the close that follows a local cancel
      }
    }

    @Override
    public void onNext(ExplainResponse response) {
      if (localFailure.get() != null) {
        return;
      }
      received.incrementAndGet();
      try {
        onResponse.accept(response);
      } catch (RuntimeException e) {
        localFailure.compareAndSet(null, e);
        out.cancel("the response consumer failed", e);
        future.completeExceptionally(e);
        return;
      }
      out.request(1);
    }

    @Override
    public void onError(Throwable t) {
      Throwable local = localFailure.get();
      future.completeExceptionally(local != null ? local : MaskserveException.from(t));
    }

    @Override
    public void onCompleted() {
      future.complete(received.get());
    }
  }

  // ---------------------------------------------------------------- zoo

  /**
   * Registers a classifier version, streaming {@code onnx} in {@link #CHUNK_SIZE} chunks. When
   * {@code metadata.sha256} is empty it is computed from the file first.
   *
   * @return what the zoo published
   * @throws UncheckedIOException if the file cannot be read
   */
  public ModelInfo registerClassifier(ClassifierMetadata metadata, Path onnx) {
    Objects.requireNonNull(metadata, "metadata");
    ClassifierMetadata m =
        metadata.getSha256().isEmpty() ? metadata.toBuilder().setSha256(sha256(onnx)).build() : metadata;
    return upload(
        ModelZooServiceGrpc.getRegisterClassifierMethod(),
        RegisterClassifierRequest.newBuilder().setMetadata(m).build(),
        chunk -> RegisterClassifierRequest.newBuilder().setChunk(chunk).build(),
        onnx);
  }

  /**
   * Attaches a generator to an existing classifier version, streaming {@code onnx} in {@link
   * #CHUNK_SIZE} chunks. When {@code metadata.sha256} is empty it is computed from the file first.
   *
   * @return what the zoo published; {@code getGenerator().getClassConditional()} tells whether the
   *     server found the generator class-conditional (an int64 {@code target} input), i.e. whether
   *     its maps depend on {@code ExplainRequest.target_class}
   * @throws UncheckedIOException if the file cannot be read
   */
  public ModelInfo registerGenerator(GeneratorMetadata metadata, Path onnx) {
    Objects.requireNonNull(metadata, "metadata");
    GeneratorMetadata m =
        metadata.getSha256().isEmpty() ? metadata.toBuilder().setSha256(sha256(onnx)).build() : metadata;
    return upload(
        ModelZooServiceGrpc.getRegisterGeneratorMethod(),
        RegisterGeneratorRequest.newBuilder().setMetadata(m).build(),
        chunk -> RegisterGeneratorRequest.newBuilder().setChunk(chunk).build(),
        onnx);
  }

  /** Every published version of every model. */
  public List<ModelInfo> listModels() {
    return listModels("");
  }

  /** Every published version of {@code name} (all models when empty). */
  public List<ModelInfo> listModels(String name) {
    return unary(
            ModelZooServiceGrpc.getListModelsMethod(),
            ListModelsRequest.newBuilder().setName(name == null ? "" : name).build())
        .getModelsList();
  }

  /** One version; {@code version} empty (or null) means the newest. */
  public ModelInfo getModel(String name, String version) {
    return unary(
        ModelZooServiceGrpc.getGetModelMethod(),
        GetModelRequest.newBuilder().setName(name).setVersion(version == null ? "" : version).build());
  }

  /**
   * Deletes a version, or only its generator.
   *
   * @return true if something was deleted
   */
  public boolean deleteModel(String name, String version, boolean generatorOnly) {
    return unary(
            ModelZooServiceGrpc.getDeleteModelMethod(),
            DeleteModelRequest.newBuilder()
                .setName(name)
                .setVersion(version)
                .setGeneratorOnly(generatorOnly)
                .build())
        .getDeleted();
  }

  /** Lowercase hex sha256 of a file. */
  public static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[CHUNK_SIZE];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private <Q, R> R unary(MethodDescriptor<Q, R> method, Q request) {
    try {
      return ClientCalls.blockingUnaryCall(channel, method, withDeadline(baseOptions, deadline), request);
    } catch (StatusRuntimeException e) {
      throw MaskserveException.from(e);
    }
  }

  private <Q> ModelInfo upload(
      MethodDescriptor<Q, ModelInfo> method, Q first, Function<ByteString, Q> chunkMessage, Path file) {
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try (in) {
      CompletableFuture<ModelInfo> future = new CompletableFuture<>();
      ClientCall<Q, ModelInfo> call = channel.newCall(method, withDeadline(baseOptions, uploadDeadline));
      ClientCalls.asyncClientStreamingCall(call, new Uploader<>(in, file, first, chunkMessage, future));
      return await(future);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends the metadata message, then the file in chunks, only while the transport is ready. */
  private static final class Uploader<Q> implements ClientResponseObserver<Q, ModelInfo> {
    private final InputStream in;
    private final Path file;
    private final Q first;
    private final Function<ByteString, Q> chunkMessage;
    private final CompletableFuture<ModelInfo> future;
    private final AtomicReference<Throwable> localFailure = new AtomicReference<>();
    private volatile ModelInfo result;
    private ClientCallStreamObserver<Q> out;
    private boolean sentFirst;
    private boolean done;

    Uploader(InputStream in, Path file, Q first, Function<ByteString, Q> chunkMessage, CompletableFuture<ModelInfo> f) {
      this.in = in;
      this.file = file;
      this.first = first;
      this.chunkMessage = chunkMessage;
      this.future = f;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
      this.out = requestStream;
      requestStream.setOnReadyHandler(this::drain);
    }

    private void drain() {
      try {
        while (!done && out.isReady()) {
          if (!sentFirst) {
            sentFirst = true;
            out.onNext(first);
            continue;
          }
          byte[] buf = in.readNBytes(CHUNK_SIZE);
          if (buf.length == 0) {
            done = true;
            out.onCompleted();
          } else {
            out.onNext(chunkMessage.apply(UnsafeByteOperations.unsafeWrap(buf)));
          }
        }
      } catch (IOException e) {
        done = true;
        UncheckedIOException failure =
            new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        localFailure.compareAndSet(null, failure);
        out.cancel("reading the upload failed", e);
        future.completeExceptionally(failure);
      }
    }

    @Override
    public void onNext(ModelInfo value) {
      result = value;
    }

    @Override
    public void onError(Throwable t) {
      Throwable local = localFailure.get();
      future.completeExceptionally(local != null ? local : MaskserveException.from(t));
    }

    @Override
    public void onCompleted() {
      future.complete(result);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private static CallOptions withDeadline(CallOptions options, Duration d) {
    return options.withDeadlineAfter(d.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new MaskserveException(Status.Code.CANCELLED, "interrupted while waiting", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw MaskserveException.from(cause);
    }
  }

  private static final class UnaryObserver<R> implements StreamObserver<R> {
    private final CompletableFuture<R> future;
    private R value;

    UnaryObserver(CompletableFuture<R> future) {
      this.future = future;
    }

    @Override
    public void onNext(R v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      future.completeExceptionally(MaskserveException.from(t));
    }

    @Override
    public void onCompleted() {
      future.complete(value);
    }
  }

  /**
   * Shuts the channel down (when this client created it) and waits up to 5 seconds for calls in
   * flight to finish.
   */
  @Override
  public void close() {
    if (!ownsChannel) {
      return;
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static Duration requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive");
    }
    return d;
  }

  /** Configures a {@link MaskserveClient}. */
  public static final class Builder {
    private final String target;
    private final ManagedChannel channel;
    private boolean tls;
    private Path trustedCertificates;
    private Path clientCertificate;
    private Path clientKey;
    private CallCredentials callCredentials;
    private Duration deadline = DEFAULT_DEADLINE;
    private Duration uploadDeadline = DEFAULT_UPLOAD_DEADLINE;
    private Duration streamDeadline;
    private int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;

    private Builder(String target, ManagedChannel channel) {
      this.target = target;
      this.channel = channel;
    }

    /** Plaintext HTTP/2 (the default). Drops any {@link #mtls} client certificate. */
    public Builder usePlaintext() {
      this.tls = false;
      this.trustedCertificates = null;
      this.clientCertificate = null;
      this.clientKey = null;
      return this;
    }

    /** TLS trusting only the CA certificates in the PEM file {@code caCertificates}; same as {@link #useTls(Path)}. */
    public Builder tls(Path caCertificates) {
      return useTls(caCertificates);
    }

    /**
     * Mutual TLS: presents the client certificate chain {@code certificate} (PEM) with its PKCS#8
     * PEM {@code privateKey}. Implies TLS; the server is verified against the CA of {@link
     * #tls(Path)} when set, else the JVM's default authorities.
     */
    public Builder mtls(Path certificate, Path privateKey) {
      this.tls = true;
      this.clientCertificate = Objects.requireNonNull(certificate, "certificate");
      this.clientKey = Objects.requireNonNull(privateKey, "privateKey");
      return this;
    }

    /**
     * Sends {@code authorization: Bearer <token>} on every call (also with {@link #forChannel}).
     * Servers started with an admin token require it for RegisterClassifier, RegisterGenerator and
     * DeleteModel, and with an explain token for everything else but health. Null removes it.
     *
     * @throws IllegalArgumentException if the token is empty or not printable ASCII
     */
    public Builder token(String token) {
      this.callCredentials = token == null ? null : new BearerTokenCredentials(token);
      return this;
    }

    /** TLS, trusting the JVM's default certificate authorities. */
    public Builder useTls() {
      this.tls = true;
      this.trustedCertificates = null;
      return this;
    }

    /** TLS, trusting only the CA certificates in the PEM file {@code caCertificates}. */
    public Builder useTls(Path caCertificates) {
      this.tls = true;
      this.trustedCertificates = Objects.requireNonNull(caCertificates, "caCertificates");
      return this;
    }

    /** Deadline of each unary call (explain, list, get, delete). Default 30 s. */
    public Builder deadline(Duration deadline) {
      this.deadline = requirePositive(deadline, "deadline");
      return this;
    }

    /** Deadline of each ONNX upload. Default 10 min. */
    public Builder uploadDeadline(Duration uploadDeadline) {
      this.uploadDeadline = requirePositive(uploadDeadline, "uploadDeadline");
      return this;
    }

    /** Deadline of each whole ExplainStream call; none by default. */
    public Builder streamDeadline(Duration streamDeadline) {
      this.streamDeadline = requirePositive(streamDeadline, "streamDeadline");
      return this;
    }

    /** Largest response message accepted, in bytes. Default 64 MiB. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxInboundMessageSize must be positive");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /** Builds the client; with {@link #forTarget} this creates the channel (it connects lazily). */
    public MaskserveClient build() {
      if (channel != null) {
        return new MaskserveClient(
            channel, false, deadline, uploadDeadline, streamDeadline, maxInboundMessageSize, callCredentials);
      }
      ChannelCredentials credentials;
      if (!tls) {
        credentials = InsecureChannelCredentials.create();
      } else {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (trustedCertificates != null) {
          try {
            b.trustManager(trustedCertificates.toFile());
          } catch (IOException e) {
            throw new UncheckedIOException(
                "cannot read CA certificates " + trustedCertificates + ": " + e.getMessage(), e);
          }
        }
        if (clientCertificate != null) {
          try {
            b.keyManager(clientCertificate.toFile(), clientKey.toFile());
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read client certificate " + clientCertificate + " or key "
                + clientKey + ": " + e.getMessage(), e);
          }
        }
        credentials = b.build();
      }
      ManagedChannelBuilder<?> b =
          Grpc.newChannelBuilder(target, credentials)
              .maxInboundMessageSize(maxInboundMessageSize)
              .userAgent("maskserve-client-java");
      return new MaskserveClient(
          b.build(), true, deadline, uploadDeadline, streamDeadline, maxInboundMessageSize, callCredentials);
    }
  }
}
