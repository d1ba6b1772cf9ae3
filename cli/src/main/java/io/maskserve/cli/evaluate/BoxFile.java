package io.maskserve.cli.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskserve.trainer.metrics.Box;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A ground-truth box file in the format of {@code ilsvrc2012-val-1300/boxes_227.json}: {@code
 * {"<file>": {"label": k, "boxes_227": [[x0, y0, x1, y1], ...]}, ...}}. The boxes are those of the
 * image's class, in the pixel coordinates of the image file; the array may be named {@code boxes}
 * or {@code boxes_<anything>}; {@code label} is optional. A key names an image by its trailing
 * path segments: {@code ILSVRC2012_val_00000347.JPEG}, or {@code cat/0800.jpg} where file names
 * repeat across folders; the longest matching key wins ({@link #find}).
 */
final class BoxFile {

  /**
   * One image's entry.
   *
   * @param label the class the boxes belong to, or -1 when the file does not say
   * @param boxes the boxes
   */
  record Entry(int label, List<Box> boxes) {
    Entry {
      boxes = List.copyOf(boxes);
    }
  }

  private final Map<String, Entry> entries;

  private BoxFile(Map<String, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  /** A box file without entries. */
  static BoxFile empty() {
    return new BoxFile(Map.of());
  }

  /**
   * The entry whose key is the longest run of trailing path segments of {@code image} ({@code
   * a/b/c.jpg} is matched by {@code c.jpg}, {@code b/c.jpg} and {@code a/b/c.jpg}), or null.
   */
  Entry find(Path image) {
    String path = image.toString().replace('\\', '/');
    Entry best = null;
    int bestLength = -1;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      String key = e.getKey();
      boolean matches = path.equals(key) || path.endsWith("/" + key);
      if (matches && key.length() > bestLength) {
        best = e.getValue();
        bestLength = key.length();
      }
    }
    return best;
  }

  /** Reads a box file. */
  static BoxFile read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new EvaluateException("cannot read box file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new EvaluateException(file + " is not a JSON object of file name -> {label, boxes}");
    }
    Map<String, Entry> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey().replace('\\', '/');
      while (key.startsWith("./")) {
        key = key.substring(2);
      }
      out.put(key, entry(file, e.getKey(), e.getValue()));
    }
    return new BoxFile(out);
  }

  private static Entry entry(Path file, String key, JsonNode node) {
    JsonNode array = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("boxes") || f.getKey().startsWith("boxes_")) {
        array = f.getValue();
      }
    }
    if (array == null || !array.isArray()) {
      throw new EvaluateException(file + ": entry '" + key + "' has no boxes array");
    }
    List<Box> boxes = new ArrayList<>();
    for (JsonNode b : array) {
      if (!b.isArray() || b.size() != 4) {
        throw new EvaluateException(file + ": entry '" + key + "' has a box that is not [x0, y0, x1, y1]");
      }
      try {
        boxes.add(new Box(b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()));
      } catch (IllegalArgumentException ex) {
        throw new EvaluateException(file + ": entry '" + key + "': " + ex.getMessage(), ex);
      }
    }
    return new Entry(node.has("label") ? node.get("label").asInt(-1) : -1, boxes);
  }

  /** The last segment of a {@code /}-separated path. */
  static String baseName(String path) {
    String p = path.replace('\\', '/');
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
