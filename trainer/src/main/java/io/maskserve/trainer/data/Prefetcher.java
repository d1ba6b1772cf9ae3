package io.maskserve.trainer.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loads the next batch on a background thread while the current training step runs, so decoding
 * image files overlaps the generator's forward and backward passes. Used from one thread.
 */
public final class Prefetcher implements AutoCloseable {

  private final ImageSource source;
  private final ExecutorService loader;
  private int[] pendingIndices;
  private Future<float[]> pending;

  /**
   * @param source where images come from
   */
  public Prefetcher(ImageSource source) {
    this.source = Objects.requireNonNull(source, "source");
    this.loader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "maskserve-batch-loader");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The images at {@code indices} (from the prefetch when it matches, else loaded now), and starts
   * loading {@code next} (null: nothing) in the background.
   */
  public float[] take(int[] indices, int[] next) {
    float[] batch;
    if (pending != null && Arrays.equals(pendingIndices, indices)) {
      batch = await(pending);
    } else {
      if (pending != null) {
        pending.cancel(false);
      }
      batch = source.gather(indices);
    }
    pending = null;
    pendingIndices = null;
    if (next != null) {
      int[] copy = next.clone();
      pendingIndices = copy;
      pending = loader.submit(() -> source.gather(copy));
    }
    return batch;
  }

  private static float[] await(Future<float[]> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading a batch", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("loading a batch failed: " + c, c);
    }
  }

  @Override
  public void close() {
    loader.shutdownNow();
  }
}
