package io.maskserve.trainer.synth;

import io.maskserve.zoo.fs.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Writes a labelled evaluation set in the fixed layout other tools read: {@code
 * DIR/<class>/<id>.png} (the scene) and {@code DIR/<class>/<id>.mask.png} (8-bit grey, white = the
 * target object). Ids are the zero-padded scene indices, so a set is identical for a seed whatever
 * order it is written in. Classes are balanced: scene {@code i} has class {@code i mod C}.
 *
 * <p>With a pair fraction, that share of the scenes are {@link PairScene}s: the folder's class is
 * the first object's, {@code <id>.mask.png} its mask, and the second object's mask is {@code
 * <id>.<second class>.mask.png} (still ending in {@code .mask.png}, so readers of the plain layout
 * skip it) — the ground truth for explaining the other class.
 */
public final class SynthWriter {

  /** Suffix of the object-mask files. */
  public static final String MASK_SUFFIX = ".mask.png";

  private final SceneGenerator generator;
  private final double pairFraction;

  /**
   * @param generator the scenes to write
   */
  public SynthWriter(SceneGenerator generator) {
    this(generator, 0);
  }

  /**
   * @param generator the scenes to write
   * @param pairFraction share of two-object scenes, in [0,1]
   */
  public SynthWriter(SceneGenerator generator, double pairFraction) {
    this.generator = Objects.requireNonNull(generator, "generator");
    if (!(pairFraction >= 0 && pairFraction <= 1)) {
      throw new IllegalArgumentException("pair fraction must be in [0,1], got " + pairFraction);
    }
    this.pairFraction = pairFraction;
  }

  /** The mask file of the second object of pair scene {@code id}. */
  public static String secondMaskName(String id, ShapeClass second) {
    return id + "." + second.label() + MASK_SUFFIX;
  }

  /** Whether scene {@code i} is a pair scene: a hash of {@code i} alone, so any order gives the same set. */
  boolean isPair(long i) {
    if (pairFraction == 0) {
      return false;
    }
    long z = (i + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
    return ((z ^ (z >>> 29)) >>> 11) * 0x1.0p-53 < pairFraction;
  }

  /**
   * Writes scenes {@code 0..count-1} under {@code dir} (created if missing).
   *
   * @return the number of scenes written
   */
  public int write(Path dir, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0");
    }
    ShapeClass[] classes = ShapeClass.values();
    try {
      for (ShapeClass c : classes) {
        Files.createDirectories(dir.resolve(c.label()));
      }
      for (int i = 0; i < count; i++) {
        String id = String.format(Locale.ROOT, "%06d", i);
        Scene s;
        if (isPair(i)) {
          PairScene pair = generator.pair(i);
          s = pair.as(pair.first());
          writePng(maskImage(pair.as(pair.second())), dir.resolve(s.shape().label())
              .resolve(secondMaskName(id, pair.second())));
        } else {
          s = generator.scene(i, classes[i % classes.length]);
        }
        Path classDir = dir.resolve(s.shape().label());
        writePng(s.image(), classDir.resolve(id + ".png"));
        writePng(maskImage(s), classDir.resolve(id + MASK_SUFFIX));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write synthetic scenes to " + dir + ": " + e.getMessage(), e);
    }
    return count;
  }

  /** The object mask as an 8-bit grey image, white on the object. */
  public static BufferedImage maskImage(Scene s) {
    int w = s.image().getWidth();
    int h = s.image().getHeight();
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        m.getRaster().setSample(x, y, 0, s.inObject(x, y) ? 255 : 0);
      }
    }
    return m;
  }

  private static void writePng(BufferedImage img, Path file) throws IOException {
    AtomicFiles.write(file, out -> {
      if (!ImageIO.write(img, "png", out)) {
        throw new IOException("no PNG writer");
      }
    });
  }
}
