package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.Box;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One image to evaluate.
 *
 * @param image the image file
 * @param label its class index
 * @param objectMask a mask file of its object (white = object), or null
 * @param boxes ground-truth boxes of its class in the image file's pixel coordinates, or null
 */
record EvalItem(Path image, int label, Path objectMask, List<Box> boxes) {

  EvalItem {
    Objects.requireNonNull(image, "image");
    boxes = boxes == null ? null : List.copyOf(boxes);
  }

  /** Whether the item has ground truth for the pointing game and localisation. */
  boolean hasTruth() {
    return objectMask != null || (boxes != null && !boxes.isEmpty());
  }

  /** The file name, for the report. */
  String name() {
    Path f = image.getFileName();
    return f == null ? image.toString() : f.toString();
  }
}
