package io.maskserve.cli;

import picocli.CommandLine.Option;

/** Where the zoo is: exactly one of --server and --zoo. */
final class ZooTarget {
  @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "A running maskserve server.")
  String server;

  @Option(
      names = "--zoo",
      required = true,
      paramLabel = "DIR|s3://BUCKET[/PREFIX]",
      description = "A zoo directory or S3 zoo, used directly (a directory is created if missing; it may be served"
          + " at the same time).")
  String zoo;

  /** The zoo; {@code connection} applies to --server only, {@code s3} to an s3:// --zoo only. */
  ZooAccess open(ConnectionOptions connection, S3ZooFlags s3) {
    if (server != null) {
      if (s3.given()) {
        throw new IllegalArgumentException("--s3-endpoint, --s3-region and --s3-cache-dir apply only with --zoo s3://...");
      }
      return ZooAccess.remote(connection.client(server).build());
    }
    if (connection.given()) {
      throw new IllegalArgumentException("--token-file, --tls-ca, --tls-cert and --tls-key apply only with --server");
    }
    return ZooAccess.local(s3.location(zoo));
  }
}
