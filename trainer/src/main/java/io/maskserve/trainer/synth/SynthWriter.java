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
 */
public final class SynthWriter {

  /** Suffix of the object-mask files. */
  public static final String MASK_SUFFIX = ".mask.png";

  private final SceneGenerator generator;

  /**
   * @param generator the scenes to write
   */
  public SynthWriter(SceneGenerator generator) {
    this.generator = Objects.requireNonNull(generator, "generator");
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
        Scene s = generator.scene(i, classes[i % classes.length]);
        String id = String.format(Locale.ROOT, "%06d", i);
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
