package io.maskserve.trainer.data;

import io.maskserve.trainer.synth.Scene;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.trainer.synth.SynthWriter;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds {@link LabelledImages} from synthetic scenes or from an image folder. */
public final class ImageSets {

  private ImageSets() {}

  /** Scenes {@code first..first+count-1} of {@code generator}, class-balanced, normalised for {@code spec}. */
  public static LabelledImages synthetic(SceneGenerator generator, long first, int count, InputSpec spec) {
    Preprocessor pre = new Preprocessor(spec);
    int len = pre.tensorLength();
    float[] pixels = new float[count * len];
    int[] labels = new int[count];
    boolean[][] masks = new boolean[count][];
    ShapeClass[] classes = ShapeClass.values();
    for (int i = 0; i < count; i++) {
      long index = first + i;
      Scene s = generator.scene(index, classes[(int) (index % classes.length)]);
      pre.normalize(pre.prepareImage(s.image()), pixels, i * len);
      labels[i] = s.shape().ordinal();
      masks[i] = s.mask();
    }
    return new LabelledImages(pixels, labels, masks, spec.height(), spec.width());
  }

  /**
   * Reads an image folder with one subfolder per class ({@code DIR/<class>/<file>}); classes are
   * the given labels (subfolders not among them are skipped). Files ending in {@link
   * SynthWriter#MASK_SUFFIX} are read as the object mask of the image with the same stem; masks are
   * kept only when every image has one. Files are taken in sorted order so runs are reproducible.
   */
  public static LabelledImages folder(Path dir, List<String> labels, InputSpec spec) {
    FileImages files = FileImages.folder(dir, labels, spec);
    int n = files.size();
    int[] all = new int[n];
    int[] ys = new int[n];
    boolean[][] masks = new boolean[n][];
    boolean allMasks = true;
    for (int i = 0; i < n; i++) {
      all[i] = i;
      FileImages.Entry e = files.entries().get(i);
      ys[i] = e.label();
      String name = e.path().getFileName().toString();
      Path maskFile = e.path().resolveSibling(name.substring(0, name.lastIndexOf('.')) + SynthWriter.MASK_SUFFIX);
      if (allMasks && Files.isRegularFile(maskFile)) {
        try {
          masks[i] = readMask(maskFile, spec);
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot read " + maskFile + ": " + ex.getMessage(), ex);
        }
      } else {
        allMasks = false;
      }
    }
    return new LabelledImages(files.gather(all), ys, allMasks ? masks : null, spec.height(), spec.width());
  }

  private static boolean[] readMask(Path file, InputSpec spec) throws IOException {
    BufferedImage m = new Preprocessor(spec).prepareImage(ImageDecoder.decode(Files.readAllBytes(file)));
    int w = spec.width();
    int h = spec.height();
    boolean[] mask = new boolean[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        mask[y * w + x] = (m.getRGB(x, y) & 0xFF) > 127;
      }
    }
    return mask;
  }
}
