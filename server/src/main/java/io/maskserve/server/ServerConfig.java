package io.maskserve.server;

import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.security.SecurityConfig;
import io.maskserve.zoo.ZooLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything needed to start a {@link MaskserveServer}.
 *
 * @param zoo the zoo: a directory (created if missing) or an S3 bucket and prefix shared by replicas
 * @param port TCP port; 0 picks a free one (see {@link MaskserveServer#port()})
 * @param device where ONNX Runtime runs the models (CUDA falls back to CPU when unavailable)
 * @param intraOpThreads ONNX Runtime threads inside one operator; 0 lets it choose
 * @param interOpThreads ONNX Runtime threads across operators; 0 lets it choose
 * @param workerThreads explanation batches run at once
 * @param maxBatchSize most concurrent explanations of one model merged into shared inference
 *     calls; 1 disables dynamic batching
 * @param maxBatchDelay how long a partial batch waits for more requests (0: never waits)
 * @param limits request limits
 * @param refreshInterval how often changes other processes (or replicas sharing an S3 zoo) make to the
 *     zoo are picked up
 * @param shutdownGrace how long {@link MaskserveServer#close()} lets in-flight calls finish
 * @param security bearer tokens and TLS ({@link SecurityConfig#none()}: plaintext, open)
 * @param bindAddress the host or IP address to listen on; null = all interfaces (the wildcard).
 *     In-process servers that only their own process talks to (demo, evaluate) use loopback.
 */
public record ServerConfig(
    ZooLocation zoo,
    int port,
    Device device,
    int intraOpThreads,
    int interOpThreads,
    int workerThreads,
    int maxBatchSize,
    Duration maxBatchDelay,
    ServerLimits limits,
    Duration refreshInterval,
    Duration shutdownGrace,
    SecurityConfig security,
    String bindAddress) {

  /** The loopback address, for servers only this machine may reach. */
  public static final String LOOPBACK = "127.0.0.1";

  /** The default port, as in the CLI. */
  public static final int DEFAULT_PORT = 50051;

  public ServerConfig {
    Objects.requireNonNull(zoo, "zoo");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    Objects.requireNonNull(device, "device");
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0");
    }
    if (workerThreads < 1) {
      throw new IllegalArgumentException("workerThreads must be >= 1, got " + workerThreads);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
    }
    if (maxBatchDelay == null || maxBatchDelay.isNegative()) {
      throw new IllegalArgumentException("maxBatchDelay must be >= 0");
    }
    Objects.requireNonNull(limits, "limits");
    if (refreshInterval == null || refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new IllegalArgumentException("refreshInterval must be positive");
    }
    if (shutdownGrace == null || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must be >= 0");
    }
    Objects.requireNonNull(security, "security");
    if (bindAddress != null && bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress must not be blank (null = all interfaces)");
    }
  }

  /** Whether the server listens on every interface rather than one address. */
  public boolean bindsAllInterfaces() {
    return bindAddress == null;
  }

  /**
   * A builder with the defaults: port 50051, CPU, one worker per core, dynamic batches of up to 16
   * without waiting, default limits, refresh every 2 s, 10 s shutdown grace.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builder of {@link ServerConfig}. By default the server runs one explanation per core with one
   * ONNX Runtime thread each: throughput comes from running requests side by side, and that
   * avoids oversubscribing the cores with nested thread pools.
   */
  public static final class Builder {
    private ZooLocation zoo;
    private int port = DEFAULT_PORT;
    private Device device = Device.CPU;
    private int intraOpThreads = 1;
    private int interOpThreads = 1;
    private int workerThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int maxBatchSize = 16;
    private Duration maxBatchDelay = Duration.ZERO;
    private ServerLimits limits = ServerLimits.defaults();
    private Duration refreshInterval = Duration.ofSeconds(2);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private SecurityConfig security = SecurityConfig.none();
    private String bindAddress;

    private Builder() {}

    /** A zoo directory. */
    public Builder zoo(Path v) {
      zoo = v == null ? null : new ZooLocation.Directory(v);
      return this;
    }

    /** A zoo directory or an S3 zoo. */
    public Builder zoo(ZooLocation v) {
      zoo = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder device(Device v) {
      device = v;
      return this;
    }

    public Builder intraOpThreads(int v) {
      intraOpThreads = v;
      return this;
    }

    public Builder interOpThreads(int v) {
      interOpThreads = v;
      return this;
    }

    public Builder workerThreads(int v) {
      workerThreads = v;
      return this;
    }

    public Builder maxBatchSize(int v) {
      maxBatchSize = v;
      return this;
    }

    public Builder maxBatchDelay(Duration v) {
      maxBatchDelay = v;
      return this;
    }

    public Builder limits(ServerLimits v) {
      limits = v;
      return this;
    }

    public Builder refreshInterval(Duration v) {
      refreshInterval = v;
      return this;
    }

    public Builder shutdownGrace(Duration v) {
      shutdownGrace = v;
      return this;
    }

    /** Tokens and TLS; default {@link SecurityConfig#none()}. */
    public Builder security(SecurityConfig v) {
      security = v;
      return this;
    }

    /** The address to listen on; default null, all interfaces. */
    public Builder bindAddress(String v) {
      bindAddress = v;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(
          zoo, port, device, intraOpThreads, interOpThreads, workerThreads, maxBatchSize, maxBatchDelay, limits,
          refreshInterval, shutdownGrace, security, bindAddress);
    }
  }
}
