package io.maskserve.zoo.fs;

import io.maskserve.zoo.ZooException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File-system helpers of the store: durable writes, hashing copies, recursive deletes. */
final class FsSupport {

  private static final Logger log = LoggerFactory.getLogger(FsSupport.class);
  private static final int BUFFER = 64 * 1024;

  private FsSupport() {}

  /** Size and sha256 of a stored upload. */
  record Stored(String sha256, long sizeBytes) {}

  /**
   * Streams {@code in} into the new file {@code target} (which must not exist), hashing it and
   * stopping as soon as more than {@code maxBytes} arrive; the file is fsynced before returning.
   * The caller deletes {@code target} on failure.
   */
  static Stored copyHashed(InputStream in, Path target, long maxBytes, String what) throws IOException {
    MessageDigest sha = sha256();
    byte[] buf = new byte[BUFFER];
    long total = 0;
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          throw new ZooException(ZooException.Reason.INVALID_ARGUMENT,
              "reading the " + what + " upload failed after " + total + " bytes: " + e.getMessage(), e);
        }
        if (n < 0) {
          break;
        }
        total += n;
        if (total > maxBytes) {
          throw new ZooException(ZooException.Reason.RESOURCE_EXHAUSTED,
              "the " + what + " upload exceeds the limit of " + maxBytes + " bytes");
        }
        sha.update(buf, 0, n);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          out.write(bb);
        }
      }
      out.force(true);
    }
    if (total == 0) {
      throw new ZooException(ZooException.Reason.INVALID_ARGUMENT, "the " + what + " upload is empty");
    }
    return new Stored(HexFormat.of().formatHex(sha.digest()), total);
  }

  /** Writes {@code data} to a new file and fsyncs it. */
  static void writeNew(Path target, byte[] data) throws IOException {
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer bb = ByteBuffer.wrap(data);
      while (bb.hasRemaining()) {
        out.write(bb);
      }
      out.force(true);
    }
  }

  /** Replaces {@code target} atomically; see {@link AtomicFiles}. */
  static void replaceAtomically(Path target, byte[] data) throws IOException {
    AtomicFiles.write(target, data);
  }

  /** Fsyncs a directory so renames in it are durable (best effort where unsupported). */
  static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      log.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  /** Deletes a file or a directory tree; missing paths are fine. */
  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw exc;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null && !(exc instanceof NoSuchFileException)) {
          throw exc;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** {@link #deleteRecursively} that logs instead of throwing. */
  static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      deleteRecursively(path);
    } catch (IOException | RuntimeException e) {
      log.warn("could not delete {}: {}", path, e.toString());
    }
  }

  /** True if {@code e} says the disk (or quota) is full. */
  static boolean isDiskFull(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String msg = t instanceof FileSystemException fse ? fse.getReason() : t.getMessage();
      if (msg == null && t instanceof FileSystemException) {
        msg = t.getMessage();
      }
      if (msg != null) {
        String m = msg.toLowerCase(Locale.ROOT);
        if (m.contains("no space left") || m.contains("disk quota exceeded") || m.contains("not enough space")
            || m.contains("disk full")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Maps an I/O failure to RESOURCE_EXHAUSTED (disk full) or INTERNAL. */
  static ZooException ioFailure(String doing, IOException e) {
    if (isDiskFull(e)) {
      return new ZooException(ZooException.Reason.RESOURCE_EXHAUSTED, doing + " failed: the disk is full (" + e.getMessage()
          + ")", e);
    }
    return new ZooException(ZooException.Reason.INTERNAL, doing + " failed: " + e, e);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
