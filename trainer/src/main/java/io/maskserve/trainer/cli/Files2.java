package io.maskserve.trainer.cli;

import io.maskserve.zoo.fs.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Small file helpers of the trainer commands. */
final class Files2 {

  private Files2() {}

  /** {@link AtomicFiles#write(Path, byte[])} for commands: failures become one-line errors. */
  static void writeAtomically(Path file, byte[] bytes) {
    try {
      java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
      AtomicFiles.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
