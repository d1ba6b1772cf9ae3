package io.maskserve.server;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.maskserve.server.batching.Batcher;
import io.maskserve.server.di.DaggerServerComponent;
import io.maskserve.server.di.ServerComponent;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.security.SecurityConfig;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.zoo.ZooStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running maskserve gRPC server: ExplainService, ModelZooService, grpc.health.v1.Health and
 * server reflection on one Netty port, over a file-system zoo.
 *
 * <pre>{@code
 * try (MaskserveServer server = MaskserveServer.start(ServerConfig.builder().zoo(dir).port(0).build())) {
 *   int port = server.port();
 *   ...
 * }
 * }</pre>
 */
public final class MaskserveServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MaskserveServer.class);

  private final ServerConfig config;
  private final ServerComponent parts;
  private final Server grpc;
  private final Object closeLock = new Object();
  private boolean closed;

  private MaskserveServer(ServerConfig config, ServerComponent parts, Server grpc) {
    this.config = config;
    this.parts = parts;
    this.grpc = grpc;
  }

  /**
   * Opens the zoo, starts listening and reports SERVING on the health service.
   *
   * @throws UncheckedIOException if the port cannot be bound
   * @throws io.maskserve.zoo.ZooException if the zoo cannot be opened
   */
  public static MaskserveServer start(ServerConfig config) {
    ServerComponent parts = DaggerServerComponent.factory().create(config);
    ModelRegistry registry = parts.registry(); // opens the zoo and reads it once
    Server grpc;
    try {
      grpc = parts.grpcServer(); // builds the TLS context: may fail on unreadable files
    } catch (RuntimeException e) {
      shutdownParts(parts);
      throw e;
    }
    try {
      grpc.start();
    } catch (IOException e) {
      shutdownParts(parts);
      throw new UncheckedIOException("could not listen on port " + config.port() + ": " + e.getMessage(), e);
    }
    registry.startRefreshing(parts.scheduler(), config.refreshInterval());
    HealthStatusManager health = parts.health();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    health.setStatus(ExplainServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(ModelZooServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    SecurityConfig security = config.security();
    log.info(
        "maskserve started port={} zoo={} device={} workers={} models={} tls={} adminToken={} explainToken={}"
            + " maxCallsPerClient={}",
        grpc.getPort(),
        config.zoo(),
        config.device(),
        config.workerThreads(),
        registry.manifests().size(),
        security.tls() == null ? "off" : security.tls().mutual() ? "mutual" : "on",
        security.adminToken() != null,
        security.explainToken() != null,
        config.limits().maxCallsPerClient());
    warnAboutExposure(security, grpc.getPort(), config.bindAddress());
    return new MaskserveServer(config, parts, grpc);
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The insecure setups an operator should know about, one WARN line each. */
  private static void warnAboutExposure(SecurityConfig security, int port, String bindAddress) {
    boolean loopback = bindAddress != null && isLoopback(bindAddress);
    if (security.adminToken() == null && !loopback) {
      log.warn("no admin token configured: the model zoo (RegisterClassifier, RegisterGenerator, DeleteModel)"
          + " is writable by anyone who can reach port {}, and the server listens on {};"
          + " set --admin-token-file or MASKSERVE_ADMIN_TOKEN", port,
          bindAddress == null ? "all interfaces" : bindAddress);
    }
    if (security.hasTokens() && security.tls() == null) {
      log.warn("bearer tokens are configured without TLS: they cross the network in clear text;"
          + " set --tls-cert and --tls-key unless a TLS proxy fronts this port");
    }
  }

  /** The port listened on (the chosen one when the config asked for 0). */
  public int port() {
    return grpc.getPort();
  }

  /** The configuration the server was started with. */
  public ServerConfig config() {
    return config;
  }

  /** The model registry (for embedding and tests). */
  public ModelRegistry registry() {
    return parts.registry();
  }

  /** The per-client limit on calls in progress (for tests and monitoring). */
  public io.maskserve.server.limits.PerClientCallLimiter callLimiter() {
    return parts.callLimiter();
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  /**
   * Graceful shutdown: reports NOT_SERVING, stops accepting calls, lets in-flight calls finish for
   * up to the configured grace period, then cancels what is left and releases the models.
   * Idempotent.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long t0 = System.nanoTime();
    parts.health().enterTerminalState();
    grpc.shutdown();
    Duration grace = config.shutdownGrace();
    try {
      if (!grpc.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("in-flight calls still running after {} ms; cancelling them", grace.toMillis());
        grpc.shutdownNow();
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      grpc.shutdownNow();
    }
    shutdownParts(parts);
    log.info("maskserve stopped millis={}", (System.nanoTime() - t0) / 1_000_000);
  }

  private static void shutdownParts(ServerComponent parts) {
    Batcher batcher = parts.batcher();
    batcher.shutdown();
    batcher.close();
    parts.registry().close();
    parts.scheduler().shutdownNow();
    parts.uploads().shutdownNow();
    ZooStore store = parts.store();
    if (store instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing the zoo failed: {}", e.toString());
      }
    }
  }
}
