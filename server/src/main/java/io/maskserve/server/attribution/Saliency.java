package io.maskserve.server.attribution;

/** Array helpers shared by the methods: channel reductions and bilinear resizing. Stateless. */
public final class Saliency {

  private Saliency() {}

  /**
   * Adds {@code max_c |v[c,p]|} of the {@code [3,plane]} block of {@code chw} starting at
   * {@code offset} to {@code acc[p]}.
   */
  static void addMaxAbsOverChannels(double[] acc, float[] chw, int offset, int plane) {
    for (int p = 0; p < plane; p++) {
      float m = Math.abs(chw[offset + p]);
      m = Math.max(m, Math.abs(chw[offset + plane + p]));
      m = Math.max(m, Math.abs(chw[offset + 2 * plane + p]));
      acc[p] += m;
    }
  }

  /** {@code sum_c |v[c,p]|} of a {@code [3,plane]} array. */
  static float[] sumAbsOverChannels(float[] chw, int plane) {
    float[] out = new float[plane];
    for (int p = 0; p < plane; p++) {
      out[p] = Math.abs(chw[p]) + Math.abs(chw[plane + p]) + Math.abs(chw[2 * plane + p]);
    }
    return out;
  }

  /** {@code values / divisor} as floats. */
  static float[] divide(double[] values, double divisor) {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (values[i] / divisor);
    }
    return out;
  }

  /**
   * Bilinear resizing of a {@code sh x sw} map to {@code dh x dw} with half-pixel centres and edge
   * clamping (PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}, OpenCV's {@code
   * INTER_LINEAR} when enlarging, the convention of the Grad-CAM reference code): output pixel
   * {@code d} samples the source at {@code (d + 0.5) * sh / dh - 0.5}, clamped to {@code [0, sh-1]}.
   */
  public static float[] bilinear(float[] src, int sh, int sw, int dh, int dw) {
    if (src.length != sh * sw || sh < 1 || sw < 1 || dh < 1 || dw < 1) {
      throw new IllegalArgumentException("cannot resize " + src.length + " values as " + sh + "x" + sw + " to "
          + dh + "x" + dw);
    }
    int[] y0 = new int[dh];
    int[] y1 = new int[dh];
    float[] fy = new float[dh];
    axis(sh, dh, y0, y1, fy);
    int[] x0 = new int[dw];
    int[] x1 = new int[dw];
    float[] fx = new float[dw];
    axis(sw, dw, x0, x1, fx);
    float[] out = new float[dh * dw];
    for (int y = 0; y < dh; y++) {
      int r0 = y0[y] * sw;
      int r1 = y1[y] * sw;
      float wy = fy[y];
      for (int x = 0; x < dw; x++) {
        float top = src[r0 + x0[x]] * (1 - fx[x]) + src[r0 + x1[x]] * fx[x];
        float bottom = src[r1 + x0[x]] * (1 - fx[x]) + src[r1 + x1[x]] * fx[x];
        out[y * dw + x] = top * (1 - wy) + bottom * wy;
      }
    }
    return out;
  }

  /** Source indices and weights of one axis of {@link #bilinear}. */
  private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
    double scale = (double) in / out;
    for (int d = 0; d < out; d++) {
      double c = Math.max(0.0, (d + 0.5) * scale - 0.5);
      int lo = Math.min((int) Math.floor(c), in - 1);
      i0[d] = lo;
      i1[d] = Math.min(lo + 1, in - 1);
      frac[d] = (float) (c - lo);
    }
  }
}
