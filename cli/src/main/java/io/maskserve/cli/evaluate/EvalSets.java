package io.maskserve.cli.evaluate;

import io.maskserve.trainer.data.FileImages;
import io.maskserve.trainer.synth.SynthWriter;
import io.maskserve.zoo.InputSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code --data} of an evaluation in one of three formats:
 *
 * <ul>
 *   <li>{@code folder}: a directory with one subfolder per class label ({@link
 *       FileImages#folder}); an image's object mask is {@code <stem>.mask.png} beside it ({@link
 *       SynthWriter}'s layout), used when present;
 *   <li>{@code list}: a list file, {@code <path> <label>} per line ({@link FileImages#list}), object
 *       masks found the same way;
 *   <li>{@code ilsvrc}: a directory holding {@code labels.txt} ({@code <path>, <class index>} per
 *       line; a path that does not exist is looked up as {@code images/<file name>}) and one
 *       {@code boxes*.json} ({@link BoxFile}), as {@code ../shared/datasets/ilsvrc2012-val-1300}.
 * </ul>
 *
 * {@code --boxes FILE} attaches boxes to the images of any format, matched by trailing path segments
 * ({@link BoxFile#find}).
 */
final class EvalSets {

  private EvalSets() {}

  /**
   * Opens {@code data}.
   *
   * @param boxesFile an explicit box file, or null
   * @param labels the classifier's class names
   */
  static EvalSet open(Path data, Path boxesFile, List<String> labels, InputSpec spec) {
    if (Files.isDirectory(data)) {
      Path labelFile = data.resolve("labels.txt");
      Path found = boxesFile != null ? boxesFile : findBoxFile(data);
      if (Files.isRegularFile(labelFile) && found != null) {
        return new EvalSet(data, "ilsvrc", ilsvrc(data, labelFile, BoxFile.read(found), labels.size()));
      }
      List<FileImages.Entry> entries = FileImages.folder(data, labels, spec).entries();
      return new EvalSet(data, "folder", items(entries, boxesFile));
    }
    if (Files.isRegularFile(data)) {
      return new EvalSet(data, "list", items(FileImages.list(data, labels, spec).entries(), boxesFile));
    }
    throw new EvaluateException("--data " + data + " is neither a directory nor a list file");
  }

  private static List<EvalItem> items(List<FileImages.Entry> entries, Path boxesFile) {
    BoxFile boxes = boxesFile == null ? BoxFile.empty() : BoxFile.read(boxesFile);
    List<EvalItem> out = new ArrayList<>();
    for (FileImages.Entry e : entries) {
      String name = e.path().getFileName().toString();
      BoxFile.Entry b = boxes.find(e.path());
      out.add(new EvalItem(e.path(), e.label(), objectMask(e.path()), b == null ? null : checked(b, e.label(), name)));
    }
    return out;
  }

  /** The {@code <stem>.mask.png} beside an image, or null. */
  static Path objectMask(Path image) {
    String name = image.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path mask = image.resolveSibling((dot < 0 ? name : name.substring(0, dot)) + SynthWriter.MASK_SUFFIX);
    return Files.isRegularFile(mask) ? mask : null;
  }

  private static List<EvalItem> ilsvrc(Path dir, Path labelFile, BoxFile boxes, int classes) {
    List<String> lines;
    try {
      lines = Files.readAllLines(labelFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + labelFile + ": " + e.getMessage(), e);
    }
    List<EvalItem> out = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int comma = line.lastIndexOf(',');
      int label;
      try {
        label = Integer.parseInt(line.substring(comma + 1).strip());
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        throw new EvaluateException(labelFile + ":" + (n + 1) + ": expected '<path>, <class index>', got '" + line + "'");
      }
      if (comma <= 0 || label < 0 || label >= classes) {
        throw new EvaluateException(labelFile + ":" + (n + 1) + ": expected '<path>, <class index>' with an index below "
            + classes + ", got '" + line + "'");
      }
      String path = line.substring(0, comma).strip();
      String name = BoxFile.baseName(path);
      Path image = dir.resolve(path).normalize();
      if (!Files.isRegularFile(image)) {
        image = dir.resolve("images").resolve(name);
      }
      if (!Files.isRegularFile(image)) {
        throw new EvaluateException(labelFile + ":" + (n + 1) + ": image " + path + " not found (nor images/" + name + ")");
      }
      BoxFile.Entry b = boxes.find(image);
      out.add(new EvalItem(image, label, null, b == null ? null : checked(b, label, name)));
    }
    return out;
  }

  private static List<io.maskserve.trainer.metrics.Box> checked(BoxFile.Entry b, int label, String name) {
    if (b.label() >= 0 && b.label() != label) {
      throw new EvaluateException("the boxes of " + name + " are of class " + b.label() + ", its label is " + label);
    }
    return b.boxes();
  }

  private static Path findBoxFile(Path dir) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "boxes*.json")) {
      List<Path> found = new ArrayList<>();
      s.forEach(found::add);
      if (found.size() > 1) {
        throw new EvaluateException(dir + " holds several boxes*.json files: choose one with --boxes");
      }
      return found.isEmpty() ? null : found.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
