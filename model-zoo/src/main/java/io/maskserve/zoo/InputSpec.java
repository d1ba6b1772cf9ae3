package io.maskserve.zoo;

import java.util.Arrays;

/**
 * What a classifier expects as input: an RGB float32 tensor {@code [N,3,height,width]}, pixels in
 * [0,1] normalised per channel as {@code (x - mean[c]) / std[c]}.
 *
 * @param height input height in pixels
 * @param width input width in pixels
 * @param resizeMode how arbitrary images are brought to {@code height x width}
 * @param mean per-channel RGB mean, length 3
 * @param std per-channel RGB standard deviation, length 3, all positive
 */
public record InputSpec(int height, int width, ResizeMode resizeMode, float[] mean, float[] std) {

  /** Largest accepted input side; keeps a manifest from asking for absurd tensors. */
  public static final int MAX_SIDE = 4096;

  public InputSpec {
    if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
      throw new IllegalArgumentException(
          "input size must be between 1 and " + MAX_SIDE + ", got " + height + "x" + width);
    }
    if (resizeMode == null) {
      resizeMode = ResizeMode.RESIZE;
    }
    if (mean == null || mean.length != 3 || std == null || std.length != 3) {
      throw new IllegalArgumentException("mean and std must have exactly 3 values (R,G,B)");
    }
    mean = mean.clone();
    std = std.clone();
    for (int c = 0; c < 3; c++) {
      if (!Float.isFinite(mean[c])) {
        throw new IllegalArgumentException("mean must be finite, got " + Arrays.toString(mean));
      }
      if (!(std[c] > 0f) || !Float.isFinite(std[c])) {
        throw new IllegalArgumentException("std must be positive and finite, got " + Arrays.toString(std));
      }
    }
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /** Mean of channel {@code c} without copying the array. */
  public float mean(int c) {
    return mean[c];
  }

  /** Standard deviation of channel {@code c} without copying the array. */
  public float std(int c) {
    return std[c];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputSpec s
        && s.height == height
        && s.width == width
        && s.resizeMode == resizeMode
        && Arrays.equals(s.mean, mean)
        && Arrays.equals(s.std, std);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * height + width) + resizeMode.hashCode()) + Arrays.hashCode(mean) * 7
        + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "InputSpec[" + height + "x" + width + ", " + resizeMode + ", mean=" + Arrays.toString(mean)
        + ", std=" + Arrays.toString(std) + "]";
  }
}
