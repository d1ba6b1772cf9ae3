package io.maskserve.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the zoo is: exactly one of --server and --zoo. */
final class ZooTarget {
  @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "A running maskserve server.")
  String server;

  @Option(
      names = "--zoo",
      required = true,
      paramLabel = "DIR",
      description = "A zoo directory, used directly (created if missing; must not be served at the same time).")
  Path zoo;

  /** The zoo; {@code connection} applies to --server only. */
  ZooAccess open(ConnectionOptions connection) {
    if (server != null) {
      return ZooAccess.remote(connection.client(server).build());
    }
    if (connection.given()) {
      throw new IllegalArgumentException("--token-file, --tls-ca, --tls-cert and --tls-key apply only with --server");
    }
    return ZooAccess.local(zoo);
  }
}
