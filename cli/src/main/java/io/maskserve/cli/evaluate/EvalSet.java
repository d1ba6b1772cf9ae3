package io.maskserve.cli.evaluate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The images of an evaluation.
 *
 * @param source the {@code --data} path
 * @param format {@code folder}, {@code list} or {@code ilsvrc}
 * @param items the images, in evaluation order
 */
record EvalSet(Path source, String format, List<EvalItem> items) {

  EvalSet {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(format, "format");
    items = List.copyOf(items);
    if (items.isEmpty()) {
      throw new EvaluateException("no images in " + source);
    }
  }

  int size() {
    return items.size();
  }

  /** Kind of ground truth: {@code masks}, {@code boxes} or {@code none} (the first item's kind wins). */
  String truthKind() {
    for (EvalItem i : items) {
      if (i.objectMask() != null) {
        return "masks";
      }
      if (i.boxes() != null && !i.boxes().isEmpty()) {
        return "boxes";
      }
    }
    return "none";
  }

  /** Number of items with ground truth. */
  long withTruth() {
    return items.stream().filter(EvalItem::hasTruth).count();
  }

  /**
   * The first {@code limit} images in class-interleaved order: the first image of every class (in
   * class-index order), then the second of every class, and so on, each class keeping its files'
   * order. A small limit thus covers the classes evenly, deterministically, without a seed.
   */
  EvalSet limit(int limit) {
    Map<Integer, List<EvalItem>> byClass = new TreeMap<>();
    for (EvalItem i : items) {
      byClass.computeIfAbsent(i.label(), k -> new ArrayList<>()).add(i);
    }
    List<EvalItem> out = new ArrayList<>();
    for (int round = 0; out.size() < Math.min(limit, items.size()); round++) {
      for (List<EvalItem> list : byClass.values()) {
        if (round < list.size() && out.size() < limit) {
          out.add(list.get(round));
        }
      }
    }
    return new EvalSet(source, format, out);
  }
}
