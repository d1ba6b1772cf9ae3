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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

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
    Preprocessor pre = new Preprocessor(spec);
    List<float[]> images = new ArrayList<>();
    List<Integer> ys = new ArrayList<>();
    List<boolean[]> masks = new ArrayList<>();
    boolean allMasks = true;
    try {
      for (int c = 0; c < labels.size(); c++) {
        Path classDir = dir.resolve(labels.get(c));
        if (!Files.isDirectory(classDir)) {
          continue;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(classDir)) {
          files = s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return !n.startsWith(".") && !n.endsWith(SynthWriter.MASK_SUFFIX)
                    && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp"));
              })
              .sorted()
              .toList();
        }
        for (Path f : files) {
          BufferedImage img = ImageDecoder.decode(Files.readAllBytes(f));
          images.add(pre.toTensor(img));
          ys.add(c);
          String name = f.getFileName().toString();
          Path maskFile = f.resolveSibling(name.substring(0, name.lastIndexOf('.')) + SynthWriter.MASK_SUFFIX);
          if (allMasks && Files.isRegularFile(maskFile)) {
            masks.add(readMask(maskFile, spec));
          } else {
            allMasks = false;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read images from " + dir + ": " + e.getMessage(), e);
    }
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no images found under " + dir + " in class folders " + labels);
    }
    int len = pre.tensorLength();
    float[] pixels = new float[images.size() * len];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, pixels, i * len, len);
    }
    return new LabelledImages(pixels, ys.stream().mapToInt(Integer::intValue).toArray(),
        allMasks ? masks.toArray(new boolean[0][]) : null, spec.height(), spec.width());
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
