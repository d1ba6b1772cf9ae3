package io.maskserve.trainer.model;

import java.util.Objects;

/**
 * One classifier tensor a feature decoder reads: its name in the classifier's ONNX graph and its
 * per-image shape {@code [channels, height, width]}.
 *
 * @param tensor the tensor's name (the decoder's ONNX input of the same name reads it)
 * @param channels channels
 * @param height height
 * @param width width
 */
public record Tap(String tensor, int channels, int height, int width) {

  public Tap {
    Objects.requireNonNull(tensor, "tensor");
    if (tensor.isBlank() || channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("bad tap " + tensor + " [" + channels + "," + height + "," + width + "]");
    }
  }

  /** Values per image. */
  public int length() {
    return channels * height * width;
  }
}
