package io.maskserve.trainer.synth;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One synthetic scene. The image is owned by the scene; callers must not modify it.
 *
 * @param image the RGB scene
 * @param mask row-major {@code size*size} flags, true where the target object is
 * @param shape the target object's shape (the class)
 */
public record Scene(BufferedImage image, boolean[] mask, ShapeClass shape) {

  public Scene {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(shape, "shape");
    if (mask.length != image.getWidth() * image.getHeight()) {
      throw new IllegalArgumentException("mask size does not match the image");
    }
    mask = mask.clone();
  }

  @Override
  public boolean[] mask() {
    return mask.clone();
  }

  /** Whether pixel (x, y) belongs to the target object. */
  public boolean inObject(int x, int y) {
    return mask[y * image.getWidth() + x];
  }

  /** Fraction of the pixels that belong to the target object. */
  public double objectFraction() {
    int n = 0;
    for (boolean b : mask) {
      n += b ? 1 : 0;
    }
    return n / (double) mask.length;
  }
}
