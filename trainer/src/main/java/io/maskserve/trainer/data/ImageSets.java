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
    return labelled(FileImages.folder(dir, labels, spec), spec);
  }

  /**
   * As {@link #folder}, without the two-object scenes (see {@link #pairs}): the images whose one
   * object is the explanation of the top-1.
   */
  public static LabelledImages singleObjects(Path dir, List<String> labels, InputSpec spec) {
    FileImages all = FileImages.folder(dir, labels, spec);
    List<FileImages.Entry> singles = all.entries().stream().filter(e -> secondMasks(e, labels).isEmpty()).toList();
    return labelled(new FileImages(singles, spec), spec);
  }

  /** The second-object mask files beside an image entry, by class index. */
  private static java.util.Map<Integer, Path> secondMasks(FileImages.Entry e, List<String> labels) {
    String name = e.path().getFileName().toString();
    String stem = name.substring(0, name.lastIndexOf('.'));
    java.util.Map<Integer, Path> out = new java.util.TreeMap<>();
    for (int c = 0; c < labels.size(); c++) {
      Path other = e.path().resolveSibling(stem + "." + labels.get(c) + SynthWriter.MASK_SUFFIX);
      if (c != e.label() && Files.isRegularFile(other)) {
        out.put(c, other);
      }
    }
    return out;
  }

  private static LabelledImages labelled(FileImages files, InputSpec spec) {
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

  /**
   * The two-object scenes of a folder in {@link SynthWriter}'s layout (an image with a second mask
   * {@code <stem>.<other class>.mask.png} beside its {@code <stem>.mask.png}), each twice: once
   * labelled with its folder's class and that object's mask, once with the other class and the
   * other object's mask — the cases of a class-conditional explanation. Empty (zero images) when
   * the folder has no such scenes.
   */
  public static LabelledImages pairs(Path dir, List<String> labels, InputSpec spec) {
    FileImages files = FileImages.folder(dir, labels, spec);
    List<Integer> rows = new java.util.ArrayList<>();
    List<Integer> ys = new java.util.ArrayList<>();
    List<boolean[]> masks = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < files.size(); i++) {
        FileImages.Entry e = files.entries().get(i);
        String name = e.path().getFileName().toString();
        Path own = e.path().resolveSibling(name.substring(0, name.lastIndexOf('.')) + SynthWriter.MASK_SUFFIX);
        for (var other : secondMasks(e, labels).entrySet()) {
          if (Files.isRegularFile(own)) {
            rows.add(i);
            ys.add(e.label());
            masks.add(readMask(own, spec));
            rows.add(i);
            ys.add(other.getKey());
            masks.add(readMask(other.getValue(), spec));
          }
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read the masks of " + dir + ": " + ex.getMessage(), ex);
    }
    return new LabelledImages(files.gather(rows.stream().mapToInt(Integer::intValue).toArray()),
        ys.stream().mapToInt(Integer::intValue).toArray(), masks.toArray(new boolean[0][]), spec.height(),
        spec.width());
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
