package io.maskserve.cli;

import io.maskserve.zoo.ZooLocation;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of a {@code --zoo s3://BUCKET[/PREFIX]} zoo, as {@code serve} has them. */
final class S3ZooFlags {

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "S3-compatible endpoint of an s3:// zoo, e.g. http://minio:9000 (path-style); default: AWS S3."
          + " Credentials: env AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS default chain.")
  URI endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION",
      description = "Signing region of an s3:// zoo (default: us-east-1 with --s3-endpoint, else the AWS default chain).")
  String region;

  @Option(names = "--s3-cache-dir", paramLabel = "DIR",
      description = "Local cache of an s3:// zoo (default: a directory under java.io.tmpdir).")
  Path cacheDir;

  /** Whether any of the options was given. */
  boolean given() {
    return endpoint != null || region != null || cacheDir != null;
  }

  /**
   * The zoo {@code --zoo} names, with these options.
   *
   * @throws IllegalArgumentException if they do not fit it
   */
  ZooLocation location(String zoo) {
    return ZooLocation.of(zoo, endpoint, region, cacheDir);
  }
}
