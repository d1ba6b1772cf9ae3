package io.maskserve.trainer.metrics;

/**
 * Crops a box out of a CHW image and resizes it bilinearly to a given size, as PyTorch's {@code
 * F.interpolate(mode="bilinear", align_corners=False)}: half-pixel centres, source coordinate
 * {@code (dst + 0.5) · src/dst − 0.5} clamped at 0 below and at the last pixel above. Bilinear
 * interpolation is linear, so cropping normalised values equals normalising the cropped pixels.
 */
final class CropResize {

  private CropResize() {}

  /**
   * The pixels {@code box = {x0, y0, x1, y1}} (inclusive) of {@code image} ({@code [c, height,
   * width]}) resized to {@code [c, outHeight, outWidth]}.
   */
  static float[] cropResize(float[] image, int channels, int height, int width, int[] box, int outHeight,
      int outWidth) {
    int bw = box[2] - box[0] + 1;
    int bh = box[3] - box[1] + 1;
    if (box[0] < 0 || box[1] < 0 || box[2] >= width || box[3] >= height || bw < 1 || bh < 1) {
      throw new IllegalArgumentException("box outside the image");
    }
    float[] out = new float[channels * outHeight * outWidth];
    double sy = bh / (double) outHeight;
    double sx = bw / (double) outWidth;
    for (int oy = 0; oy < outHeight; oy++) {
      double fy = Math.max(0, (oy + 0.5) * sy - 0.5);
      int y0 = Math.min((int) fy, bh - 1);
      int y1 = Math.min(y0 + 1, bh - 1);
      double wy = fy - y0;
      for (int ox = 0; ox < outWidth; ox++) {
        double fx = Math.max(0, (ox + 0.5) * sx - 0.5);
        int x0 = Math.min((int) fx, bw - 1);
        int x1 = Math.min(x0 + 1, bw - 1);
        double wx = fx - x0;
        for (int c = 0; c < channels; c++) {
          int base = c * height * width;
          double a = image[base + (box[1] + y0) * width + box[0] + x0];
          double b = image[base + (box[1] + y0) * width + box[0] + x1];
          double d = image[base + (box[1] + y1) * width + box[0] + x0];
          double e = image[base + (box[1] + y1) * width + box[0] + x1];
          double top = a + (b - a) * wx;
          double bottom = d + (e - d) * wx;
          out[c * outHeight * outWidth + oy * outWidth + ox] = (float) (top + (bottom - top) * wy);
        }
      }
    }
    return out;
  }
}
