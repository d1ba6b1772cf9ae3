package io.maskserve.server.di;

import ai.onnxruntime.OrtEnvironment;
import dagger.Module;
import dagger.Provides;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.batching.Batcher;
import io.maskserve.server.batching.DynamicBatcher;
import io.maskserve.server.batching.WorkQueueBatcher;
import io.maskserve.server.grpc.ExplainServiceImpl;
import io.maskserve.server.grpc.ExplainTranslator;
import io.maskserve.server.grpc.ModelZooServiceImpl;
import io.maskserve.server.grpc.StatusMapper;
import io.maskserve.server.grpc.ZooTranslator;
import io.maskserve.server.limits.PerClientCallLimiter;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.pipeline.ExplanationPipeline;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.server.security.AuthInterceptor;
import io.maskserve.server.security.SecurityConfig;
import io.maskserve.zoo.ZooStore;
import io.maskserve.zoo.ZooStores;
import io.maskserve.zoo.fs.StoreLimits;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Qualifier;
import javax.inject.Singleton;

/** Provides the server's parts. Domain classes carry no DI annotations; they are wired here. */
@Module
public final class ServerModule {

  /** How long an upload may send nothing before it is abandoned. */
  static final Duration UPLOAD_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** Qualifies the scheduler of background work (zoo refresh). */
  @Qualifier
  @Retention(RetentionPolicy.RUNTIME)
  public @interface Background {}

  /** Qualifies the executor that feeds uploads into the store. */
  @Qualifier
  @Retention(RetentionPolicy.RUNTIME)
  public @interface Uploads {}

  private ServerModule() {}

  @Provides
  static ServerLimits limits(ServerConfig config) {
    return config.limits();
  }

  @Provides
  @Singleton
  static OrtEnvironment ortEnvironment() {
    // ONNX Runtime allows one environment per process; it lives as long as the process.
    return OrtEnvironment.getEnvironment();
  }

  @Provides
  @Singleton
  static SessionFactory sessionFactory(OrtEnvironment env, ServerConfig config) {
    return new SessionFactory(env, config.device(), config.intraOpThreads(), config.interOpThreads());
  }

  @Provides
  @Singleton
  static ZooStore zooStore(ServerConfig config, OrtEnvironment env) {
    return ZooStores.open(
        config.zoo(), new OnnxModelValidator(env), new StoreLimits(config.limits().maxUploadBytes()));
  }

  @Provides
  @Singleton
  static ModelRegistry registry(ZooStore store, SessionFactory sessions) {
    return new ModelRegistry(store, sessions);
  }

  @Provides
  @Singleton
  static MaskSampler sampler() {
    return new MaskSampler();
  }

  @Provides
  @Singleton
  static OverlayRenderer overlay() {
    return new OverlayRenderer();
  }

  @Provides
  @Singleton
  static ExplanationPipeline pipeline(
      ModelRegistry registry, MaskSampler sampler, OverlayRenderer overlay, ServerLimits limits) {
    return new ExplanationPipeline(registry, sampler, overlay, limits);
  }

  @Provides
  @Singleton
  static Batcher batcher(ExplanationPipeline pipeline, ServerConfig config) {
    if (config.maxBatchSize() == 1) {
      return new WorkQueueBatcher(pipeline::explain, config.workerThreads(), config.limits().maxQueue());
    }
    return new DynamicBatcher(
        pipeline, config.workerThreads(), config.maxBatchSize(), config.maxBatchDelay(), config.limits().maxQueue());
  }

  @Provides
  @Singleton
  static StatusMapper statusMapper() {
    return new StatusMapper();
  }

  @Provides
  @Singleton
  @Background
  static ScheduledExecutorService scheduler() {
    return Executors.newSingleThreadScheduledExecutor(daemon("maskserve-refresh"));
  }

  @Provides
  @Singleton
  @Uploads
  static ExecutorService uploads() {
    return Executors.newCachedThreadPool(daemon("maskserve-upload"));
  }

  @Provides
  @Singleton
  static HealthStatusManager health() {
    return new HealthStatusManager();
  }

  @Provides
  @Singleton
  static ExplainServiceImpl explainService(Batcher batcher, StatusMapper statuses, ServerLimits limits) {
    return new ExplainServiceImpl(batcher, new ExplainTranslator(), statuses, limits);
  }

  @Provides
  @Singleton
  static ModelZooServiceImpl zooService(
      ZooStore store,
      ModelRegistry registry,
      StatusMapper statuses,
      ServerLimits limits,
      @Uploads ExecutorService uploads) {
    return new ModelZooServiceImpl(
        store, registry, new ZooTranslator(), statuses, limits, uploads, UPLOAD_IDLE_TIMEOUT);
  }

  @Provides
  @Singleton
  static AuthInterceptor authInterceptor(ServerConfig config) {
    return new AuthInterceptor(config.security());
  }

  @Provides
  @Singleton
  static PerClientCallLimiter callLimiter(ServerConfig config) {
    return new PerClientCallLimiter(config.limits().maxCallsPerClient(), config.security());
  }

  @Provides
  @Singleton
  @SuppressWarnings("deprecation") // v1alpha reflection: still what older grpcurl/Postman builds ask for
  static Server grpcServer(
      ServerConfig config,
      ExplainServiceImpl explain,
      ModelZooServiceImpl zoo,
      HealthStatusManager health,
      AuthInterceptor auth,
      PerClientCallLimiter callLimiter) {
    ServerLimits limits = config.limits();
    SecurityConfig security = config.security();
    InetSocketAddress address = config.bindsAllInterfaces()
        ? new InetSocketAddress(config.port()) // the wildcard: all interfaces
        : new InetSocketAddress(config.bindAddress(), config.port());
    NettyServerBuilder builder = security.tls() == null
        ? NettyServerBuilder.forAddress(address)
        : NettyServerBuilder.forAddress(address, security.tls().serverCredentials());
    return builder
        // Interceptors run in the reverse order of adding: auth first, so refused calls never count.
        .intercept(callLimiter) // calls in progress per client, over all its connections
        .intercept(auth) // one interceptor for every service: it leaves health and reflection open
        .maxInboundMessageSize(limits.maxInboundMessageBytes())
        .maxConcurrentCallsPerConnection(limits.maxConcurrentStreams())
        .addService(explain)
        .addService(zoo)
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(io.grpc.protobuf.services.ProtoReflectionService.newInstance())
        .build();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
