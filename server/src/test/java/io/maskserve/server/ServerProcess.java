package io.maskserve.server;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.server.cli.ServeCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code serve} in a child JVM on the test's classpath, for tests that kill it (SIGKILL) or stop it
 * (SIGTERM) and restart it on the same zoo.
 */
public final class ServerProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("maskserve listening on port (\\d+) \\(zoo (.+)\\)");

  /** The child JVM. */
  public final Process process;
  /** The port it listens on. */
  public final int port;
  /** The zoo directory its listening line names. */
  public final String zoo;

  private ServerProcess(Process process, int port, String zoo) {
    this.process = process;
    this.port = port;
    this.zoo = zoo;
  }

  /** Where the listening line says the server listens. */
  private record Listening(int port, String zoo) {}

  /** Starts {@code serve --zoo zoo --port 0} plus {@code extra} and waits for its listening line. */
  public static ServerProcess start(Path zoo, String... extra) throws Exception {
    return start(zoo.toString(), Map.of(), extra);
  }

  /**
   * Starts {@code serve --zoo zoo --port 0 --refresh-interval 500ms} plus {@code extra}, with {@code
   * env} added to its environment (e.g. S3 credentials), and waits for its listening line.
   */
  public static ServerProcess start(String zoo, Map<String, String> env, String... extra) throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(
        java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), ServeCommand.class.getName(),
        "--zoo", zoo, "--port", "0", "--bind", "127.0.0.1", "--refresh-interval", "500ms",
        "--shutdown-grace", "5s"));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    CompletableFuture<Listening> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = LISTENING.matcher(line);
          if (m.matches()) {
            listening.complete(new Listening(Integer.parseInt(m.group(1)), m.group(2)));
          }
        }
        listening.completeExceptionally(new IllegalStateException("server exited: " + p.waitFor()));
      } catch (Exception e) {
        listening.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      Listening l = listening.get(90, TimeUnit.SECONDS);
      return new ServerProcess(p, l.port(), l.zoo());
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /** A plaintext channel to it. */
  public ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20).build();
  }

  /** SIGKILL, and waits for the exit (137). */
  public int kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the server did not die");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /**
   * Every regular file under {@code dir} (relative path) and its SHA-256: what a restart must find
   * unchanged. Lock files the store keeps are left out.
   */
  public static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        String rel = dir.relativize(f).toString();
        if (rel.endsWith(".lock")) {
          continue;
        }
        try {
          out.put(rel, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }
}
