package io.maskserve.trainer.data;

import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.Preprocessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Image files decoded and preprocessed on demand (nothing is held in memory but the list), from an
 * image folder or a list file. Decoding goes through the zoo's {@link ImageDecoder}, which rejects
 * malformed or oversized files with a clear message.
 */
public final class FileImages implements ImageSource {

  /**
   * One image file.
   *
   * @param path the file
   * @param label class index
   */
  public record Entry(Path path, int label) {
    public Entry {
      Objects.requireNonNull(path, "path");
    }
  }

  private final List<Entry> entries;
  private final InputSpec spec;
  private final Preprocessor preprocessor;

  /**
   * @param entries the files, in the order indices address them
   * @param spec the classifier's preprocessing
   */
  public FileImages(List<Entry> entries, InputSpec spec) {
    this.entries = List.copyOf(entries);
    this.spec = Objects.requireNonNull(spec, "spec");
    this.preprocessor = new Preprocessor(spec);
    if (this.entries.isEmpty()) {
      throw new IllegalArgumentException("no images");
    }
  }

  /**
   * The images of a folder with one subfolder per class ({@code DIR/<class>/<file>}, classes named
   * as in {@code labels}; other subfolders and object-mask files are skipped), in sorted order.
   */
  public static FileImages folder(Path dir, List<String> labels, InputSpec spec) {
    List<Entry> entries = new ArrayList<>();
    try {
      for (int c = 0; c < labels.size(); c++) {
        Path classDir = dir.resolve(labels.get(c));
        if (!Files.isDirectory(classDir)) {
          continue;
        }
        try (Stream<Path> s = Files.list(classDir)) {
          for (Path f : s.filter(FileImages::isImage).sorted().toList()) {
            entries.add(new Entry(f, c));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no images found under " + dir + " in class folders " + labels);
    }
    return new FileImages(entries, spec);
  }

  /**
   * The images of a list file: one image per line, {@code <path> <label>} or {@code
   * <path>,<label>}, the label a class name from {@code labels} or its index; paths relative to the
   * list file's directory; blank lines and lines starting with {@code #} are ignored.
   */
  public static FileImages list(Path listFile, List<String> labels, InputSpec spec) {
    List<String> lines;
    try {
      lines = Files.readAllLines(listFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read list file " + listFile + ": " + e.getMessage(), e);
    }
    Path base = listFile.toAbsolutePath().getParent();
    List<Entry> entries = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int cut = Math.max(line.lastIndexOf(','), Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t')));
      if (cut <= 0 || cut == line.length() - 1) {
        throw new IllegalArgumentException(listFile + ":" + (n + 1) + ": expected '<path> <label>', got '" + line + "'");
      }
      String path = line.substring(0, cut).strip();
      String label = line.substring(cut + 1).strip();
      entries.add(new Entry(base.resolve(path), labelIndex(label, labels, listFile, n + 1)));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("list file " + listFile + " names no images");
    }
    return new FileImages(entries, spec);
  }

  private static int labelIndex(String label, List<String> labels, Path file, int line) {
    int i = labels.indexOf(label);
    if (i >= 0) {
      return i;
    }
    try {
      int k = Integer.parseInt(label);
      if (k >= 0 && k < labels.size()) {
        return k;
      }
    } catch (NumberFormatException e) {
      // not an index either
    }
    throw new IllegalArgumentException(file + ":" + line + ": unknown label '" + label + "' (the classifier has "
        + labels.size() + " classes)");
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return !n.startsWith(".") && !n.endsWith(io.maskserve.trainer.synth.SynthWriter.MASK_SUFFIX)
        && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp"));
  }

  /** The files, in index order. */
  public List<Entry> entries() {
    return entries;
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public int height() {
    return spec.height();
  }

  @Override
  public int width() {
    return spec.width();
  }

  @Override
  public float[] gather(int[] indices) {
    int len = imageLength();
    float[] out = new float[indices.length * len];
    for (int i = 0; i < indices.length; i++) {
      Path f = entries.get(indices[i]).path();
      try {
        preprocessor.normalize(preprocessor.prepareImage(ImageDecoder.decode(Files.readAllBytes(f))), out, i * len);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cannot decode " + f + ": " + e.getMessage(), e);
      }
    }
    return out;
  }
}
