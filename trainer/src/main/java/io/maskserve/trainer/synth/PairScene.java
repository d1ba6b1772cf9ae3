package io.maskserve.trainer.synth;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * A synthetic scene with two objects of different classes, apart from each other: the ground truth
 * of class-conditional explanations (asked for either class, keep that class's object). The image
 * is owned by the scene; callers must not modify it.
 *
 * @param image the RGB scene
 * @param first the first object's class
 * @param firstMask row-major flags, true on the first object
 * @param second the second object's class, not {@code first}
 * @param secondMask row-major flags, true on the second object
 */
public record PairScene(BufferedImage image, ShapeClass first, boolean[] firstMask, ShapeClass second,
    boolean[] secondMask) {

  public PairScene {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    if (first == second) {
      throw new IllegalArgumentException("the two objects must be of different classes");
    }
    int n = image.getWidth() * image.getHeight();
    if (firstMask.length != n || secondMask.length != n) {
      throw new IllegalArgumentException("mask size does not match the image");
    }
    firstMask = firstMask.clone();
    secondMask = secondMask.clone();
  }

  @Override
  public boolean[] firstMask() {
    return firstMask.clone();
  }

  @Override
  public boolean[] secondMask() {
    return secondMask.clone();
  }

  /** The scene seen as explaining {@code shape}, which must be one of its two classes. */
  public Scene as(ShapeClass shape) {
    if (shape == first) {
      return new Scene(image, firstMask, first);
    }
    if (shape == second) {
      return new Scene(image, secondMask, second);
    }
    throw new IllegalArgumentException(shape + " is not in this scene (" + first + ", " + second + ")");
  }
}
