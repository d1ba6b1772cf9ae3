package io.maskserve.cli.evaluate;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects the report's gallery: the first {@code size} images of the evaluation with every
 * method's map and mask, rendered to PNG as they arrive so no map is kept.
 */
final class Gallery {

  /**
   * One method's pictures of an image.
   *
   * @param map the saliency map, min-max normalised and coloured
   * @param mask the image with the pixels the deterministic mask removes darkened
   */
  record Cell(byte[] map, byte[] mask) {}

  /**
   * One gallery row.
   *
   * @param name the file name
   * @param trueLabel the image's class
   * @param predicted the classifier's top-1 and its probability, as text
   * @param image the image at the input resolution
   * @param truth the image with everything outside the ground truth darkened, or null
   * @param cells per method its pictures
   */
  record Row(String name, String trueLabel, String predicted, byte[] image, byte[] truth, Map<MethodName, Cell> cells) {}

  private final int size;
  private final Map<Integer, Pending> rows = new TreeMap<>();

  private static final class Pending {
    final String name;
    final String trueLabel;
    final String predicted;
    final BufferedImage picture;
    final byte[] truth;
    final java.util.List<io.maskserve.trainer.metrics.Box> boxes;
    final Map<MethodName, Cell> cells = new EnumMap<>(MethodName.class);

    Pending(String name, String trueLabel, String predicted, BufferedImage picture, byte[] truth,
        java.util.List<io.maskserve.trainer.metrics.Box> boxes) {
      this.name = name;
      this.trueLabel = trueLabel;
      this.predicted = predicted;
      this.picture = picture;
      this.truth = truth;
      this.boxes = boxes;
    }
  }

  Gallery(int size) {
    this.size = Math.max(0, size);
  }

  /** Whether the image at {@code index} of the evaluation is shown. */
  boolean wants(int index) {
    return index < size;
  }

  void addImage(int index, String name, String trueLabel, String predicted, LoadedImage image) {
    // Boxes are outlined on every picture of the row, so each map can be judged against them.
    byte[] truth = image.hasTruth()
        ? MapImages.png(MapImages.withBoxes(MapImages.darkenOutside(image.picture(), image.truth()), image.boxes()))
        : null;
    rows.put(index, new Pending(name, trueLabel, predicted, image.picture(), truth, image.boxes()));
  }

  void addMethod(int index, MethodName method, float[] map, boolean[] mask) {
    Pending p = rows.get(index);
    if (p == null) {
      return;
    }
    int w = p.picture.getWidth();
    int h = p.picture.getHeight();
    p.cells.put(method, new Cell(MapImages.png(MapImages.withBoxes(MapImages.heat(map, h, w), p.boxes)),
        MapImages.png(MapImages.withBoxes(MapImages.darkenOutside(p.picture, mask), p.boxes))));
  }

  /** The rows in evaluation order. */
  List<Row> rows() {
    List<Row> out = new ArrayList<>();
    for (Pending p : rows.values()) {
      out.add(new Row(p.name, p.trueLabel, p.predicted, MapImages.png(MapImages.withBoxes(p.picture, p.boxes)),
          p.truth, Map.copyOf(p.cells)));
    }
    return out;
  }
}
