package io.maskserve.zoo;

import io.maskserve.zoo.s3.S3ZooOptions;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;

/**
 * Where a model zoo lives: a directory on local disk ({@link io.maskserve.zoo.fs.FileSystemZooStore})
 * or a bucket and prefix in an S3-compatible object store ({@link io.maskserve.zoo.s3.S3ZooStore}).
 * Opened by {@link ZooStores#open}.
 */
public sealed interface ZooLocation {

  /**
   * {@code s3://bucket[/prefix]} is an object-store zoo (on AWS S3 until given an endpoint); anything
   * else is a directory path.
   *
   * @throws IllegalArgumentException if an {@code s3://} location is malformed
   */
  static ZooLocation parse(String location) {
    Objects.requireNonNull(location, "location");
    if (S3ZooOptions.isS3(location)) {
      return new S3(S3ZooOptions.parse(location));
    }
    return new Directory(Paths.get(location));
  }

  /**
   * {@link #parse} plus the options of an S3 zoo ({@code --s3-endpoint}, {@code --s3-region},
   * {@code --s3-cache-dir} on the command line), each null when not given.
   *
   * @throws IllegalArgumentException naming the problem: a malformed location or endpoint, or S3
   *     options given for a directory
   */
  static ZooLocation of(String location, URI s3Endpoint, String s3Region, Path s3CacheDir) {
    ZooLocation parsed = parse(location);
    if (parsed instanceof S3 s3) {
      S3ZooOptions options = s3.options();
      if (s3Endpoint != null) {
        String scheme = s3Endpoint.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || s3Endpoint.getHost() == null) {
          throw new IllegalArgumentException("--s3-endpoint must be an http:// or https:// URL, got '" + s3Endpoint
              + "'");
        }
        options = options.withEndpoint(s3Endpoint);
      }
      return new S3(options.withRegion(s3Region).withCacheDir(s3CacheDir));
    }
    if (s3Endpoint != null || s3Region != null || s3CacheDir != null) {
      throw new IllegalArgumentException("--s3-endpoint, --s3-region and --s3-cache-dir need --zoo s3://BUCKET[/PREFIX]");
    }
    return parsed;
  }

  /** A zoo directory on local disk (created if missing). */
  record Directory(Path path) implements ZooLocation {
    public Directory {
      Objects.requireNonNull(path, "path");
    }

    /** The path, as given. */
    @Override
    public String toString() {
      return path.toString();
    }
  }

  /** A zoo in an S3-compatible object store. */
  record S3(S3ZooOptions options) implements ZooLocation {
    public S3 {
      Objects.requireNonNull(options, "options");
    }

    /** {@code s3://bucket/prefix}. */
    @Override
    public String toString() {
      return options.toString();
    }
  }
}
