package io.maskserve.trainer.data;

/**
 * Training images addressed by index: an in-memory set ({@link LabelledImages}) or files decoded on
 * demand ({@link FileImages}). Implementations must be safe to read from a loader thread while
 * the training thread runs.
 */
public interface ImageSource {

  /** Number of images. */
  int size();

  /** Image height after preprocessing. */
  int height();

  /** Image width after preprocessing. */
  int width();

  /** Floats per image ({@code 3·height·width}). */
  default int imageLength() {
    return 3 * height() * width();
  }

  /**
   * The normalised images at {@code indices}, contiguous {@code [n,3,height,width]}.
   *
   * @throws java.io.UncheckedIOException when an image cannot be read
   */
  float[] gather(int[] indices);
}
