package io.maskserve.trainer.data;

import java.util.Objects;

/**
 * A set of normalised images in one contiguous CHW buffer, with labels and optional object masks.
 *
 * @param pixels {@code count*3*height*width} floats, image after image
 * @param labels class index per image
 * @param masks per image {@code height*width} flags (true on the object), or null when unknown
 * @param height image height
 * @param width image width
 */
public record LabelledImages(float[] pixels, int[] labels, boolean[][] masks, int height, int width)
    implements ImageSource {

  public LabelledImages {
    Objects.requireNonNull(pixels, "pixels");
    Objects.requireNonNull(labels, "labels");
    if (pixels.length != (long) labels.length * 3 * height * width) {
      throw new IllegalArgumentException("pixels do not match " + labels.length + " images of 3x" + height + "x" + width);
    }
    if (masks != null && masks.length != labels.length) {
      throw new IllegalArgumentException("one mask per image expected");
    }
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int imageLength() {
    return 3 * height * width;
  }

  /** Copies the images at {@code indices} into a new contiguous buffer. */
  @Override
  public float[] gather(int[] indices) {
    int len = imageLength();
    float[] out = new float[indices.length * len];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(pixels, indices[i] * len, out, i * len, len);
    }
    return out;
  }
}
