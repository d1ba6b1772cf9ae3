package io.maskserve.cli.evaluate;

import io.maskserve.client.MaskserveClient;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server an evaluation talks to over gRPC: a running one ({@link #remote}) or one started in
 * this process on a zoo directory on a free port ({@link #inProcess}), as {@code maskserve demo}
 * does. Closing stops the in-process server; a shutdown hook does the same on Ctrl-C.
 */
final class ServerConnection implements AutoCloseable {

  private final MaskserveClient client;
  private final MaskserveServer server;
  private final Path zoo;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread hook;

  private ServerConnection(MaskserveClient client, MaskserveServer server, Path zoo) {
    this.client = client;
    this.server = server;
    this.zoo = zoo;
    this.hook = new Thread(this::release, "maskserve-evaluate-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * A client of a running server.
   *
   * @param client the server's address, token and TLS settings
   * @param timeout the deadline of every explain request
   */
  static ServerConnection remote(MaskserveClient.Builder client, Duration timeout) {
    return new ServerConnection(client.deadline(timeout).build(), null, null);
  }

  /**
   * Starts a server on {@code zoo} on a free port and connects to it.
   *
   * @param timeout the deadline of every explain request
   */
  static ServerConnection inProcess(Path zoo, Duration timeout) {
    if (!Files.isDirectory(zoo)) {
      throw new EvaluateException("zoo directory " + zoo + " does not exist");
    }
    MaskserveServer server = MaskserveServer.start(ServerConfig.builder()
        .zoo(zoo)
        .port(0)
        .shutdownGrace(Duration.ofSeconds(2))
        // Only this process talks to it: not reachable from the network, so no token is needed.
        .bindAddress(ServerConfig.LOOPBACK)
        .build());
    try {
      String target = ServerConfig.LOOPBACK + ":" + server.port();
      return new ServerConnection(MaskserveClient.forTarget(target).deadline(timeout).build(),
          server, zoo);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The client. */
  MaskserveClient client() {
    return client;
  }

  /** The zoo directory when the server runs in this process. */
  Optional<Path> zoo() {
    return Optional.ofNullable(zoo);
  }

  private void release() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      client.close();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Override
  public void close() {
    release();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook has run or is running
    }
  }
}
