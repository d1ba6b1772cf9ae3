package io.maskserve.server.grpc;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Streams uploaded chunks from the gRPC thread to the thread that feeds them to the zoo store.
 * The producer side ({@link #offer}, {@link #finish}, {@link #fail}) never blocks; memory stays
 * bounded because the upload requests a new chunk from the client only when the reader has taken
 * one ({@code onChunkTaken}), so at most the initially requested number of chunks is buffered.
 */
final class ChunkPipe extends InputStream {

  private static final Object EOF = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Runnable onChunkTaken;
  private final Duration idleTimeout;
  private volatile IOException failure;
  private ByteBuffer current;
  private boolean eof;

  /**
   * @param onChunkTaken called (on the reader's thread) each time a chunk is taken
   * @param idleTimeout how long a read waits for the next chunk before failing the upload
   */
  ChunkPipe(Runnable onChunkTaken, Duration idleTimeout) {
    this.onChunkTaken = onChunkTaken;
    this.idleTimeout = idleTimeout;
  }

  void offer(ByteString chunk) {
    if (!chunk.isEmpty()) {
      queue.add(chunk);
    }
  }

  void finish() {
    queue.add(EOF);
  }

  /** Makes the next read throw {@code why} at once, whatever is still buffered. */
  void fail(IOException why) {
    failure = why;
    queue.add(why);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, current.remaining());
    current.get(b, off, n);
    return n;
  }

  private boolean fill() throws IOException {
    while (current == null || !current.hasRemaining()) {
      if (failure != null) {
        throw failure;
      }
      if (eof) {
        return false;
      }
      Object next;
      try {
        next = queue.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("upload interrupted");
      }
      if (next == null) {
        throw new IOException("upload stalled: no data for " + idleTimeout.toSeconds() + " s");
      } else if (next == EOF) {
        eof = true;
      } else if (next instanceof IOException e) {
        throw e;
      } else {
        current = ((ByteString) next).asReadOnlyByteBuffer();
        onChunkTaken.run();
      }
    }
    if (failure != null) {
      throw failure;
    }
    return true;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.remaining();
  }
}
