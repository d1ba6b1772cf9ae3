package io.maskserve.trainer.synth;

import java.util.List;
import java.util.Locale;

/** The classes of the synthetic task: the shape of the one target object in a scene. */
public enum ShapeClass {
  CIRCLE,
  SQUARE,
  TRIANGLE,
  CROSS,
  RING;

  /** The class name used as label and as folder name (lower case). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** All labels in class-index order. */
  public static List<String> labels() {
    return java.util.Arrays.stream(values()).map(ShapeClass::label).toList();
  }

  /** The class whose {@link #label()} is {@code label}. */
  public static ShapeClass ofLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
