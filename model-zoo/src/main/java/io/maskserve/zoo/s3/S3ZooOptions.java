package io.maskserve.zoo.s3;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an {@link S3ZooStore} keeps its objects and how to reach them.
 *
 * @param bucket the bucket (must exist)
 * @param prefix key prefix of every object ("" for the bucket root; a trailing '/' is implied)
 * @param endpoint the S3-compatible endpoint (MinIO, s3proxy, ...), or null for AWS S3 itself
 * @param region the signing region, or null: "us-east-1" with an endpoint, else the SDK's default
 *     region chain (AWS_REGION, profile, instance metadata)
 * @param pathStyle path-style addressing ({@code http://host/bucket/key}), which most S3-compatible
 *     servers need; virtual-hosted style ({@code http://bucket.host/key}) otherwise
 * @param cacheDir the local directory artefacts are downloaded to, or null for a directory under
 *     {@code java.io.tmpdir} named after the endpoint, bucket and prefix
 */
public record S3ZooOptions(String bucket, String prefix, URI endpoint, String region, boolean pathStyle, Path cacheDir) {

  /** The scheme of zoo locations in the object store. */
  public static final String SCHEME = "s3://";

  /** Validates the bucket and normalises the prefix (no leading '/', "" or a trailing '/'). */
  public S3ZooOptions {
    Objects.requireNonNull(bucket, "bucket");
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException("'" + bucket + "' is not a valid S3 bucket name (3-63 characters: a-z, 0-9,"
          + " '.', '-')");
    }
    prefix = new S3Layout(prefix).prefix();
    if (prefix.contains("//")) {
      throw new IllegalArgumentException("the S3 key prefix '" + prefix + "' has an empty segment");
    }
    if (region != null && region.isBlank()) {
      region = null;
    }
  }

  /** True if {@code location} names an object-store zoo ({@code s3://...}). */
  public static boolean isS3(String location) {
    return location != null && location.toLowerCase(Locale.ROOT).startsWith(SCHEME);
  }

  /**
   * Parses {@code s3://bucket} or {@code s3://bucket/prefix}: AWS S3 itself, default region chain,
   * default cache directory; see {@link #withEndpoint} and {@link #withRegion}.
   *
   * @throws IllegalArgumentException if it is not such a location
   */
  public static S3ZooOptions parse(String location) {
    if (!isS3(location)) {
      throw new IllegalArgumentException("'" + location + "' is not an s3://BUCKET[/PREFIX] location");
    }
    String rest = location.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    return new S3ZooOptions(bucket, prefix, null, null, false, null);
  }

  /** The same location through an S3-compatible endpoint, path-style. */
  public S3ZooOptions withEndpoint(URI v) {
    return new S3ZooOptions(bucket, prefix, v, region, v != null || pathStyle, cacheDir);
  }

  /** The same location signed for region {@code v}. */
  public S3ZooOptions withRegion(String v) {
    return new S3ZooOptions(bucket, prefix, endpoint, v, pathStyle, cacheDir);
  }

  /** The same location with its local cache in {@code v}. */
  public S3ZooOptions withCacheDir(Path v) {
    return new S3ZooOptions(bucket, prefix, endpoint, region, pathStyle, v);
  }

  /** The cache directory, defaulted as the record's Javadoc says. */
  public Path effectiveCacheDir() {
    if (cacheDir != null) {
      return cacheDir;
    }
    String id = (endpoint == null ? "aws" : endpoint.toString()) + "|" + bucket + "|" + prefix;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return Paths.get(System.getProperty("java.io.tmpdir"), "maskserve-s3-cache",
          bucket + "-" + HexFormat.of().formatHex(h, 0, 6));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code s3://bucket/prefix}, as given on the command line. */
  @Override
  public String toString() {
    return SCHEME + bucket + "/" + prefix;
  }
}
