package io.maskserve.server.cli;

import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.security.BearerToken;
import io.maskserve.server.security.SecurityConfig;
import io.maskserve.server.security.TlsConfig;
import io.maskserve.zoo.ZooLocation;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve serve}: runs the gRPC server until interrupted. Prints exactly one line, {@code
 * maskserve listening on port <N> (zoo <DIR or s3://BUCKET/PREFIX/>)}, to stdout once the port is bound, so scripts can
 * wait for it; stops gracefully on SIGTERM/SIGINT.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve explanations and the model zoo over gRPC.")
public final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--zoo", required = true, paramLabel = "DIR|s3://BUCKET[/PREFIX]",
      description = "Zoo directory (created if missing), or a bucket and key prefix in an S3-compatible object store"
          + " shared by replicas (the bucket must exist).")
  String zoo;

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "S3-compatible endpoint of an s3:// zoo, e.g. http://minio:9000 (path-style addressing);"
          + " default: AWS S3. Credentials: env AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS default chain.")
  URI s3Endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION",
      description = "Signing region of an s3:// zoo (default: us-east-1 with --s3-endpoint, else env AWS_REGION"
          + " or the AWS default chain).")
  String s3Region;

  @Option(names = "--s3-cache-dir", paramLabel = "DIR",
      description = "Where an s3:// zoo's models are downloaded to (default: a directory under java.io.tmpdir).")
  Path s3CacheDir;

  @Option(names = "--port", defaultValue = "50051", paramLabel = "N", description = "TCP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", paramLabel = "HOST",
      description = "Address to listen on, e.g. 127.0.0.1 for this machine only (default: all interfaces).")
  String bind;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", converter = DeviceConverter.class,
      description = "Execution device (default ${DEFAULT-VALUE}); cuda falls back to cpu when unavailable.")
  Device device;

  @Option(names = "--intra-op-threads", defaultValue = "1", paramLabel = "N", description = "ONNX Runtime threads inside an operator; 0 = its default (default ${DEFAULT-VALUE}).")
  int intraOpThreads;

  @Option(names = "--inter-op-threads", defaultValue = "1", paramLabel = "N", description = "ONNX Runtime threads across operators; 0 = its default (default ${DEFAULT-VALUE}).")
  int interOpThreads;

  @Option(names = "--workers", paramLabel = "N", description = "Explanation batches run at once (default: number of cores).")
  Integer workers;

  @Option(names = "--max-batch", defaultValue = "16", paramLabel = "N",
      description = "Most concurrent requests of one model merged into shared inference calls; 1 disables batching (default ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(names = "--batch-delay", defaultValue = "0ms", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long a partial batch waits for more requests (default ${DEFAULT-VALUE}: never waits).")
  Duration batchDelay;

  @Option(names = "--max-samples", paramLabel = "N", description = "Most Bernoulli samples per request (default 64).")
  Integer maxSamples;

  @Option(names = "--max-rise-masks", paramLabel = "N", description = "Most RISE masks per request (default 8000).")
  Integer maxRiseMasks;

  @Option(names = "--max-smoothgrad-samples", paramLabel = "N", description = "Most SmoothGrad noisy copies per request (default 200).")
  Integer maxSmoothGradSamples;

  @Option(names = "--max-ig-steps", paramLabel = "N", description = "Most integrated-gradients steps per request (default 300).")
  Integer maxIgSteps;

  @Option(names = "--max-occlusion-windows", paramLabel = "N", description = "Most occlusion windows per request (default 10000).")
  Integer maxOcclusionWindows;

  @Option(names = "--max-message-bytes", paramLabel = "N", description = "Largest inbound gRPC message (default 33554432).")
  Integer maxMessageBytes;

  @Option(names = "--max-image-pixels", paramLabel = "N", description = "Largest decoded image, width*height (default 16777216).")
  Long maxImagePixels;

  @Option(names = "--max-concurrent-streams", paramLabel = "N", description = "Most concurrent calls per HTTP/2 connection (default 100). Per connection, not per client:"
          + " a client may open several connections; --max-queue bounds the work queued per model.")
  Integer maxConcurrentStreams;

  @Option(names = "--max-calls-per-client", paramLabel = "N",
      description = "Most calls one client may have in progress at once over all its connections; 0 = unlimited"
          + " (default 64). A client is its bearer token when tokens are configured, else its IP address.")
  Integer maxCallsPerClient;

  @Option(names = "--max-queue", paramLabel = "N", description = "Most explanations queued or running per model (default 64).")
  Integer maxQueue;

  @Option(names = "--refresh-interval", defaultValue = "2s", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How often zoo changes by other processes are picked up, e.g. 2s, 500ms, PT1M (default ${DEFAULT-VALUE}).")
  Duration refreshInterval;

  @Option(names = "--shutdown-grace", defaultValue = "10s", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long a stop lets in-flight calls finish (default ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      description = "File holding the bearer token required by RegisterClassifier, RegisterGenerator and DeleteModel"
          + " (at least 16 bytes; default: env MASKSERVE_ADMIN_TOKEN; without either the zoo is writable by anyone).")
  Path adminTokenFile;

  @Option(names = "--explain-token-file", paramLabel = "FILE",
      description = "File holding the bearer token required by Explain, ListModels and GetModel (the admin token works"
          + " too; default: env MASKSERVE_EXPLAIN_TOKEN; without either they are open). Health and reflection are"
          + " always open.")
  Path explainTokenFile;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain: serve TLS only (needs --tls-key).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "FILE",
      description = "PEM CA certificate(s): mutual TLS, clients must present a certificate signed by one.")
  Path tlsClientCa;

  /** The environment tokens are read from; replaceable so tests need not set real variables. */
  Map<String, String> environment = System.getenv();

  /** The configuration the options describe. */
  public ServerConfig config() {
    ServerLimits.Builder limits = ServerLimits.builder();
    if (maxSamples != null) {
      limits.maxSamples(maxSamples);
    }
    if (maxRiseMasks != null) {
      limits.maxRiseMasks(maxRiseMasks);
    }
    if (maxSmoothGradSamples != null) {
      limits.maxSmoothGradSamples(maxSmoothGradSamples);
    }
    if (maxIgSteps != null) {
      limits.maxIgSteps(maxIgSteps);
    }
    if (maxOcclusionWindows != null) {
      limits.maxOcclusionWindows(maxOcclusionWindows);
    }
    if (maxMessageBytes != null) {
      limits.maxInboundMessageBytes(maxMessageBytes);
      // An encoded image travels in one message: never accept a file larger than the message.
      limits.maxEncodedBytes(maxMessageBytes);
    }
    if (maxImagePixels != null) {
      limits.maxImagePixels(maxImagePixels);
    }
    if (maxConcurrentStreams != null) {
      limits.maxConcurrentStreams(maxConcurrentStreams);
    }
    if (maxQueue != null) {
      limits.maxQueue(maxQueue);
    }
    if (maxCallsPerClient != null) {
      limits.maxCallsPerClient(maxCallsPerClient);
    }
    ServerConfig.Builder b = ServerConfig.builder()
        .zoo(zooLocation())
        .port(port)
        .device(device)
        .intraOpThreads(intraOpThreads)
        .interOpThreads(interOpThreads)
        .maxBatchSize(maxBatch)
        .maxBatchDelay(batchDelay)
        .limits(limits.build())
        .refreshInterval(refreshInterval)
        .shutdownGrace(shutdownGrace)
        .bindAddress(bind);
    if (workers != null) {
      b.workerThreads(workers);
    }
    b.security(security());
    return b.build();
  }

  /**
   * The zoo from --zoo and the --s3-* options, which only an s3:// zoo may have.
   *
   * @throws IllegalArgumentException naming the misused option
   */
  private ZooLocation zooLocation() {
    return ZooLocation.of(zoo, s3Endpoint, s3Region, s3CacheDir);
  }

  /**
   * Tokens and TLS from the options. Tokens come from files, not arguments, so they do not show
   * in {@code ps}; the environment variables are the fallback for containers.
   *
   * @throws IllegalArgumentException with a message naming the option and the file
   */
  private SecurityConfig security() {
    BearerToken admin = token(adminTokenFile, "--admin-token-file", "MASKSERVE_ADMIN_TOKEN");
    BearerToken explain = token(explainTokenFile, "--explain-token-file", "MASKSERVE_EXPLAIN_TOKEN");
    TlsConfig tls = null;
    if (tlsCert != null || tlsKey != null) {
      if (tlsCert == null || tlsKey == null) {
        throw new IllegalArgumentException("--tls-cert and --tls-key must be given together");
      }
      tls = TlsConfig.load(tlsCert, tlsKey, tlsClientCa);
    } else if (tlsClientCa != null) {
      throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
    }
    return new SecurityConfig(admin, explain, tls);
  }

  private BearerToken token(Path file, String option, String variable) {
    if (file != null) {
      return BearerToken.fromFile(file, option);
    }
    String value = environment.get(variable);
    if (value == null || value.isBlank()) {
      return null;
    }
    return BearerToken.of(value.strip(), variable);
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    MaskserveServer server;
    try {
      server = MaskserveServer.start(config);
    } catch (RuntimeException e) {
      // A busy port or an unreadable zoo: one clear line, not a stack trace.
      spec.commandLine().getErr().println("maskserve serve: " + e.getMessage());
      return 1;
    }
    Thread hook = new Thread(server::close, "maskserve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    out.println("maskserve listening on port " + server.port() + " (zoo " + config.zoo() + ")");
    out.flush();
    server.awaitTermination();
    return 0;
  }

  /** Runs the command standalone (the maskserve CLI registers it as a subcommand instead). */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeCommand()).execute(args));
  }

  /** Parses {@code cpu} / {@code cuda}. */
  static final class DeviceConverter implements CommandLine.ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
      return Device.parse(value);
    }
  }

  /** Parses {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h} or ISO-8601 ({@code PT2S}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = SIMPLE.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      }
      try {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration such as 2s, 500ms or PT1M");
      }
    }
  }
}
