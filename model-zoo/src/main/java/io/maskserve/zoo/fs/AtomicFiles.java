package io.maskserve.zoo.fs;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Replaces files so that a reader, or a process restarted after kill -9, sees the old file or the
 * new one, never half of one: a uniquely named temp file ({@code .<name>-<uuid>.tmp}) beside the
 * target, fsynced, renamed over it, and the directory fsynced so the rename survives a crash. The
 * zoo writes manifests this way; the trainer its checkpoints, exports and scenes.
 */
public final class AtomicFiles {

  /** Writes a file's content to a stream (which the caller need not close). */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** Replaces {@code file} (whose directory must exist) with what {@code content} writes. */
  public static void write(Path file, Content content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + "-" + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch));
        content.writeTo(out);
        out.flush();
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    FsSupport.fsyncDir(dir);
  }

  /** Replaces {@code file} (whose directory must exist) with {@code bytes}. */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }
}
