package io.maskserve.zoo.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locks that let several processes (a server and {@code maskserve zoo ... --zoo DIR}, say)
 * share one store directory safely. Readers take none of them.
 *
 * <ul>
 *   <li>The <em>commit lock</em> ({@code ROOT/.lock}, an OS file lock plus an in-process lock)
 *       guards the short publish steps and crash recovery, so recovery in one process never
 *       removes what another is publishing.
 *   <li>An <em>owner lock</em> ({@code ROOT/.staging/<id>.owner}) is held for the whole of one
 *       registration; its staged files ({@code .staging/<id>/}, {@code .generator-<id>.tmp}) are
 *       leftovers of a crash only when nobody holds it. The OS drops file locks when a process
 *       dies, kill -9 included.
 * </ul>
 */
final class StoreLocks {

  static final String COMMIT_LOCK_FILE = ".lock";
  static final String OWNER_SUFFIX = ".owner";

  private final Path commitLockFile;
  private final Path staging;
  private final ReentrantLock inProcess = new ReentrantLock();

  StoreLocks(Path root, Path staging) {
    this.commitLockFile = root.resolve(COMMIT_LOCK_FILE);
    this.staging = staging;
  }

  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes the commit lock, waiting for other threads and processes. */
  Held commit() throws IOException {
    inProcess.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(commitLockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = lockBlocking(channel);
      FileChannel ch = channel;
      return () -> {
        try {
          lock.release();
          ch.close();
        } catch (IOException e) {
          // closing the channel releases the lock anyway
        } finally {
          inProcess.unlock();
        }
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      inProcess.unlock();
      throw e;
    }
  }

  /** Creates and locks the owner file of registration {@code id}; closing deletes and releases it. */
  Held own(String id) throws IOException {
    Files.createDirectories(staging);
    Path file = staging.resolve(id + OWNER_SUFFIX);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.lock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      Files.deleteIfExists(file);
      throw e;
    }
    return () -> {
      try {
        Files.deleteIfExists(file); // first, so a recovering process never sees it unlocked
        lock.release();
        channel.close();
      } catch (IOException e) {
        // an owner file left behind unlocked is removed by the next recovery
      }
    };
  }

  /**
   * True if registration {@code id} is still in progress in some process: its owner file exists
   * and is locked.
   */
  boolean isOwned(String id) {
    Path file = staging.resolve(id + OWNER_SUFFIX);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true; // another process holds it
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // this process holds it (another store instance on the same root)
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return true; // cannot tell: keep the files
    }
  }

  private static FileLock lockBlocking(FileChannel channel) throws IOException {
    while (true) {
      try {
        return channel.lock();
      } catch (OverlappingFileLockException e) {
        // another store instance on the same root in this JVM holds it: wait for it
        try {
          Thread.sleep(5);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the zoo's commit lock", ie);
        }
      }
    }
  }
}
