package io.maskserve.bench;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooStore;
import io.maskserve.zoo.preprocess.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * The physical floor of serving: the three inference passes an explanation needs (classifier on
 * the images, generator, classifier on the thresholded masked images), called directly on ONNX
 * Runtime sessions with the server's session options, in batches, from as many threads as the
 * server has workers, with no decoding, protocol or queueing. Its images per second are what the
 * server's end-to-end throughput is compared with.
 */
public final class RawThroughput {

  private RawThroughput() {}

  /**
   * Measures images per second of the three passes over {@code images} (decoded and preprocessed
   * beforehand) for the newest generator-carrying version of {@code model} in {@code zoo}.
   *
   * @param batch images per inference call (the server's {@code --max-batch})
   * @param workers threads calling concurrently (the server's {@code --workers})
   * @param intraOpThreads ONNX Runtime intra-op threads per session (the server's default is 1)
   */
  public static double imagesPerSecond(ZooStore zoo, String model, List<byte[]> images, int batch, int workers,
      int intraOpThreads, Duration duration) throws Exception {
    ModelManifest manifest = zoo.latest(model, true).orElseThrow(
        () -> new IllegalArgumentException("no version of " + model + " with a generator"));
    GeneratorSpec gen = manifest.generator().orElseThrow();
    if (gen.readsFeatures()) {
      throw new IllegalArgumentException("the floor is measured for generators of the image; the generator of "
          + manifest.key() + " decodes the classifier tensors " + gen.features());
    }
    Preprocessor pre = new Preprocessor(manifest.input());
    int h = manifest.input().height();
    int w = manifest.input().width();
    int size = 3 * h * w;
    List<float[]> batches = new ArrayList<>();
    for (int start = 0; start + batch <= images.size(); start += batch) {
      float[] b = new float[batch * size];
      for (int i = 0; i < batch; i++) {
        System.arraycopy(pre.toTensor(decode(images.get(start + i))), 0, b, i * size, size);
      }
      batches.add(b);
    }
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("need at least " + batch + " images, have " + images.size());
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    SessionFactory sessions = new SessionFactory(env, Device.CPU, intraOpThreads, 1);
    try (OnnxModel classifier = new OnnxModel(env, sessions.open(zoo.localFile(manifest, manifest.classifier())));
        OnnxModel generator = new OnnxModel(env, sessions.open(zoo.localFile(manifest, gen.artifact())))) {
      long[] shape = {batch, 3, h, w};
      int classes = manifest.numClasses();
      // One round per call of the explanation's passes; returns images done.
      Round round = (b) -> {
        float[] logits = classifier.run(b, shape).values();
        OnnxModel.Output map = generator.takesTarget()
            ? generator.run(b, shape, argmax(logits, batch, classes))
            : generator.run(b, shape);
        float[] masked = mask(b, map, batch, h, w, gen.threshold());
        classifier.run(masked, shape);
        return batch;
      };
      for (int i = 0; i < 3; i++) {
        round.run(batches.get(i % batches.size()));
      }
      AtomicLong done = new AtomicLong();
      long end = System.nanoTime() + duration.toNanos();
      List<Thread> threads = new ArrayList<>();
      List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      long t0 = System.nanoTime();
      for (int t = 0; t < workers; t++) {
        int offset = t;
        Thread thread = new Thread(() -> {
          try {
            for (int i = offset; System.nanoTime() < end; i += workers) {
              done.addAndGet(round.run(batches.get(i % batches.size())));
            }
          } catch (Exception e) {
            failures.add(e);
          }
        }, "raw-" + t);
        threads.add(thread);
        thread.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      if (!failures.isEmpty()) {
        throw failures.get(0);
      }
      return done.get() / ((System.nanoTime() - t0) / 1e9);
    }
  }

  private interface Round {
    int run(float[] batch) throws Exception;
  }

  private static BufferedImage decode(byte[] bytes) {
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      if (img == null) {
        throw new IllegalArgumentException("not a readable image");
      }
      return img;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long[] argmax(float[] logits, int n, int classes) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[i * classes + c] > logits[i * classes + best]) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }

  /** The images with the pixels whose (nearest-upsampled) keep probability is below threshold set to 0. */
  private static float[] mask(float[] images, OnnxModel.Output map, int n, int h, int w, float threshold) {
    int mh = (int) map.shape()[2];
    int mw = (int) map.shape()[3];
    float[] p = map.values();
    float[] out = new float[images.length];
    int plane = h * w;
    for (int b = 0; b < n; b++) {
      for (int y = 0; y < h; y++) {
        int row = b * mh * mw + (y * mh / h) * mw;
        for (int x = 0; x < w; x++) {
          if (p[row + x * mw / w] >= threshold) {
            int i = y * w + x;
            for (int c = 0; c < 3; c++) {
              out[(b * 3 + c) * plane + i] = images[(b * 3 + c) * plane + i];
            }
          }
        }
      }
    }
    return out;
  }
}
