package io.maskserve.client;

import io.maskserve.v1.InputRegion;

/**
 * Maps explanations back to the original image with {@link InputRegion} (the {@code input_region}
 * of a response): the server explains the classifier's input, which is the original image resized,
 * or resized and centre-cropped, so a map cell or a box in input coordinates lies elsewhere in the
 * original.
 */
public final class InputRegions {

  private InputRegions() {}

  /** The original-image point {@code {x, y}} of input coordinates {@code (u, v)} (pixel centres at +0.5). */
  public static double[] toOriginal(InputRegion r, double u, double v) {
    check(r);
    return new double[] {r.getX0() + u * (r.getX1() - r.getX0()) / r.getInputWidth(),
        r.getY0() + v * (r.getY1() - r.getY0()) / r.getInputHeight()};
  }

  /** The input coordinates {@code {u, v}} of original-image point {@code (x, y)}. */
  public static double[] toInput(InputRegion r, double x, double y) {
    check(r);
    return new double[] {(x - r.getX0()) * r.getInputWidth() / (r.getX1() - r.getX0()),
        (y - r.getY0()) * r.getInputHeight() / (r.getY1() - r.getY0())};
  }

  /**
   * A map of the input ({@code [inputHeight][inputWidth]}, e.g. from {@link ProbabilityMaps}) laid
   * over the original image: {@code [originalHeight][originalWidth]}, each original pixel taking
   * the value of the input pixel its centre falls in (nearest), and {@code outside} where the
   * centre crop left the original image out.
   *
   * @throws IllegalArgumentException if the map is not of the input's size or the region is invalid
   */
  public static float[][] mapToOriginal(InputRegion r, float[][] map, float outside) {
    check(r);
    int ih = r.getInputHeight();
    int iw = r.getInputWidth();
    if (map.length != ih || map[0].length != iw) {
      throw new IllegalArgumentException("map is " + map.length + "x" + map[0].length + ", the input " + ih + "x" + iw);
    }
    int oh = r.getOriginalHeight();
    int ow = r.getOriginalWidth();
    float[][] out = new float[oh][ow];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        double[] uv = toInput(r, x + 0.5, y + 0.5);
        int u = (int) Math.floor(uv[0]);
        int v = (int) Math.floor(uv[1]);
        out[y][x] = u >= 0 && u < iw && v >= 0 && v < ih ? map[v][u] : outside;
      }
    }
    return out;
  }

  private static void check(InputRegion r) {
    if (r.getInputWidth() < 1 || r.getInputHeight() < 1 || !(r.getX1() > r.getX0()) || !(r.getY1() > r.getY0())
        || r.getOriginalWidth() < 1 || r.getOriginalHeight() < 1) {
      throw new IllegalArgumentException("invalid or unset input region: " + r);
    }
  }
}
