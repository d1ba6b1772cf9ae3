package io.maskserve.zoo.preprocess;

/**
 * Where a classifier input lies in the original image it was prepared from ({@link
 * Preprocessor#region}): the input's {@code W x H} pixels cover the rectangle {@code [x0,x1) x
 * [y0,y1)} of the {@code originalWidth x originalHeight} image, in original pixel units. The whole
 * image for {@link io.maskserve.zoo.ResizeMode#RESIZE}; the centre window for the centre crop.
 * Maps and boxes go back and forth with {@link #toOriginalX}/{@link #toInputX} and their Y twins.
 *
 * @param originalWidth width of the original image
 * @param originalHeight height of the original image
 * @param x0 left edge of the covered rectangle
 * @param y0 top edge
 * @param x1 right edge (exclusive)
 * @param y1 bottom edge (exclusive)
 * @param inputWidth the classifier input's width W
 * @param inputHeight the classifier input's height H
 */
public record InputRegion(int originalWidth, int originalHeight, double x0, double y0, double x1, double y1,
    int inputWidth, int inputHeight) {

  public InputRegion {
    if (originalWidth < 1 || originalHeight < 1 || inputWidth < 1 || inputHeight < 1 || !(x1 > x0) || !(y1 > y0)) {
      throw new IllegalArgumentException("bad input region");
    }
  }

  /** The original x of input x {@code u} (a coordinate, not a pixel index: pixel u's centre is u + 0.5). */
  public double toOriginalX(double u) {
    return x0 + u * (x1 - x0) / inputWidth;
  }

  /** The original y of input y {@code v}. */
  public double toOriginalY(double v) {
    return y0 + v * (y1 - y0) / inputHeight;
  }

  /** The input x of original x {@code x}. */
  public double toInputX(double x) {
    return (x - x0) * inputWidth / (x1 - x0);
  }

  /** The input y of original y {@code y}. */
  public double toInputY(double y) {
    return (y - y0) * inputHeight / (y1 - y0);
  }
}
