package io.maskserve.zoo.s3;

import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.ZooException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local copies of an {@link S3ZooStore}'s artefacts, which ONNX Runtime loads from disk:
 *
 * <pre>
 * CACHE/&lt;name&gt;/&lt;version&gt;/&lt;sha256&gt;/&lt;file&gt;   a verified artefact
 * CACHE/&lt;name&gt;/&lt;version&gt;/&lt;sha256&gt;/classifier.input-grad.v2.onnx   derived gradient model
 * CACHE/.staging/                                    uploads being validated, downloads in progress
 * </pre>
 *
 * A file appears under its final name only by an atomic rename of a complete, fsynced temp file
 * whose sha256 was checked, so a crash never leaves a half file there, and processes sharing the
 * directory (replicas on one machine) may fill it concurrently. Because the path contains the
 * sha256, a version re-registered with other bytes never reuses a stale file. A file already
 * present is re-hashed once per process before it is trusted (it may have been damaged on disk);
 * one that does not match is deleted and fetched again.
 */
final class LocalCache {

  private static final Logger log = LoggerFactory.getLogger(LocalCache.class);
  private static final int BUFFER = 64 * 1024;
  static final String STAGING = ".staging";

  private final Path root;
  private final Path staging;
  /** Files hashed by this process and found right, with the size they had then. */
  private final Map<Path, Long> verified = new ConcurrentHashMap<>();

  LocalCache(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.staging = this.root.resolve(STAGING);
    Files.createDirectories(staging);
  }

  Path root() {
    return root;
  }

  /** Size and sha256 of bytes copied to a file. */
  record Copied(Path file, String sha256, long sizeBytes) {}

  /** Where an artefact of {@code key} lives once cached. */
  Path path(ModelKey key, Artifact artifact) {
    return dir(key, artifact.sha256()).resolve(artifact.file());
  }

  /** The directory of one content of one version (by the classifier's or generator's sha256). */
  Path dir(ModelKey key, String sha256) {
    return root.resolve(key.name()).resolve(key.version()).resolve(sha256);
  }

  /**
   * The cached file of {@code artifact} if present and matching its sha256 and size; a damaged one
   * is deleted and reported absent.
   */
  Path verifiedOrNull(ModelKey key, Artifact artifact) throws IOException {
    Path file = path(key, artifact);
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      verified.remove(file);
      return null;
    }
    Long known = verified.get(file);
    if (known != null && known == size) {
      return file;
    }
    if (size == artifact.sizeBytes() && artifact.sha256().equals(sha256Of(file))) {
      verified.put(file, size);
      return file;
    }
    log.warn("cached {} does not match its manifest (sha256 {}); fetching it again", file, artifact.sha256());
    verified.remove(file);
    Files.deleteIfExists(file);
    return null;
  }

  /**
   * Streams {@code in} into a new temp file under the staging directory, hashing it and stopping
   * with RESOURCE_EXHAUSTED as soon as more than {@code maxBytes} arrive. The caller deletes the
   * file ({@link #deleteQuietly}).
   *
   * @param what names the bytes in error messages ("classifier upload")
   */
  Copied stage(InputStream in, long maxBytes, String what) throws IOException {
    Path tmp = staging.resolve(UUID.randomUUID() + ".tmp");
    try {
      return copyHashed(in, tmp, maxBytes, what, Reason.INVALID_ARGUMENT);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  /**
   * Installs a staged file whose sha256 and size are {@code artifact}'s under its cache path (by an
   * atomic rename, replacing an identical file another process may have put there).
   */
  Path install(Path stagedFile, ModelKey key, Artifact artifact) throws IOException {
    Path target = path(key, artifact);
    Files.createDirectories(target.getParent());
    moveAtomically(stagedFile, target);
    verified.put(target, artifact.sizeBytes());
    return target;
  }

  /**
   * Downloads {@code body} (the object of {@code artifact}) to its cache path, verifying the size
   * and sha256 the manifest gives before the file gets its final name.
   *
   * @param source names the object in error messages
   * @throws ZooException INTERNAL if the object is larger than the manifest says or its sha256
   *     differs (the temp file is removed)
   */
  Path download(InputStream body, ModelKey key, Artifact artifact, String source) throws IOException {
    Path tmp = staging.resolve(UUID.randomUUID() + ".tmp");
    try {
      Copied c = copyHashed(body, tmp, artifact.sizeBytes(), source, Reason.INTERNAL);
      if (c.sizeBytes() != artifact.sizeBytes() || !c.sha256().equals(artifact.sha256())) {
        throw new ZooException(Reason.INTERNAL, source + " is corrupt: it has " + c.sizeBytes() + " bytes with sha256 "
            + c.sha256() + " but the manifest of " + key + " says " + artifact.sizeBytes() + " bytes with sha256 "
            + artifact.sha256() + "; delete and re-register the version");
      }
      return install(tmp, key, artifact);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** Writes derived bytes to {@code target} via a temp file and an atomic rename. */
  void writeDerived(Path target, byte[] data) throws IOException {
    Files.createDirectories(target.getParent());
    Path tmp = staging.resolve(UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer bb = ByteBuffer.wrap(data);
        while (bb.hasRemaining()) {
          out.write(bb);
        }
        out.force(true);
      }
      moveAtomically(tmp, target);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** Removes every cached file of a version (after it was deleted through this store). */
  void evict(ModelKey key) {
    Path dir = root.resolve(key.name()).resolve(key.version());
    verified.keySet().removeIf(p -> p.startsWith(dir));
    deleteQuietly(dir);
  }

  /** Removes the cached files of one content of a version (a deleted generator). */
  void evict(ModelKey key, String sha256) {
    Path dir = dir(key, sha256);
    verified.keySet().removeIf(p -> p.startsWith(dir));
    deleteQuietly(dir);
  }

  static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      if (!Files.exists(path)) {
        return;
      }
      Files.walkFileTree(path, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException | RuntimeException e) {
      log.debug("could not delete {}: {}", path, e.toString());
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the cache directory must be on one file system: " + e.getMessage(), e);
    }
  }

  /**
   * Copies {@code in} to the new file {@code target}, hashing, fsyncing, and failing as soon as
   * more than {@code maxBytes} arrive (RESOURCE_EXHAUSTED for uploads; {@code tooLong} otherwise).
   */
  private static Copied copyHashed(InputStream in, Path target, long maxBytes, String what, Reason readFailure)
      throws IOException {
    MessageDigest sha = sha256();
    byte[] buf = new byte[BUFFER];
    long total = 0;
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          throw new ZooException(readFailure, "reading the " + what + " failed after " + total + " bytes: "
              + e.getMessage(), e);
        }
        if (n < 0) {
          break;
        }
        total += n;
        if (total > maxBytes) {
          throw readFailure == Reason.INVALID_ARGUMENT
              ? new ZooException(Reason.RESOURCE_EXHAUSTED, "the " + what + " exceeds the limit of " + maxBytes
                  + " bytes")
              : new ZooException(Reason.INTERNAL, what + " is larger than the " + maxBytes
                  + " bytes its manifest gives; delete and re-register the version");
        }
        sha.update(buf, 0, n);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          out.write(bb);
        }
      }
      out.force(true);
    }
    if (total == 0 && readFailure == Reason.INVALID_ARGUMENT) {
      throw new ZooException(Reason.INVALID_ARGUMENT, "the " + what + " is empty");
    }
    return new Copied(target, HexFormat.of().formatHex(sha.digest()), total);
  }

  private static String sha256Of(Path file) throws IOException {
    MessageDigest sha = sha256();
    byte[] buf = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
