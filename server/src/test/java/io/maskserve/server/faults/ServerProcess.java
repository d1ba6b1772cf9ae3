package io.maskserve.server.faults;

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
 * {@code serve} in a child JVM on the test's classpath (as {@code KillDuringRegistrationTest}
 * runs it), for fault tests that kill it with SIGKILL.
 */
final class ServerProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("maskserve listening on port (\\d+) \\(zoo (.+)\\)");

  final Process process;
  final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code serve --zoo zoo --port 0} plus {@code extra} and waits for its listening line. */
  static ServerProcess start(Path zoo, String... extra) throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(
        java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), ServeCommand.class.getName(),
        "--zoo", zoo.toString(), "--port", "0", "--bind", "127.0.0.1", "--refresh-interval", "500ms",
        "--shutdown-grace", "5s"));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = LISTENING.matcher(line);
          if (m.matches()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
        port.completeExceptionally(new IllegalStateException("server exited: " + p.waitFor()));
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      return new ServerProcess(p, port.get(90, TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20).build();
  }

  /** SIGKILL, and waits for the exit (137). */
  int kill9() throws InterruptedException {
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
  static Map<String, String> tree(Path dir) throws IOException {
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
