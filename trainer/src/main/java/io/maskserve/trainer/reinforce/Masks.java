package io.maskserve.trainer.reinforce;

/** Mask arithmetic on row-major cell grids, shared by training and evaluation. */
public final class Masks {

  private Masks() {}

  /** Fraction of kept cells. */
  public static double area(float[] mask, int offset, int cells) {
    double s = 0;
    for (int i = 0; i < cells; i++) {
      s += mask[offset + i];
    }
    return s / cells;
  }

  /**
   * Anisotropic total variation per cell: mean over neighbour pairs (right and down) of {@code
   * |m_a - m_b|}, so it is in [0,1] whatever the grid size.
   */
  public static double totalVariation(float[] mask, int offset, int h, int w) {
    double s = 0;
    int pairs = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float v = mask[offset + y * w + x];
        if (x + 1 < w) {
          s += Math.abs(v - mask[offset + y * w + x + 1]);
          pairs++;
        }
        if (y + 1 < h) {
          s += Math.abs(v - mask[offset + (y + 1) * w + x]);
          pairs++;
        }
      }
    }
    return pairs == 0 ? 0 : s / pairs;
  }

  /**
   * Each of {@code n} {@code height x width} maps averaged over the cells of an {@code h x w} grid
   * that divides it: {@code [n][h·w]}. Each cell's pixels are summed row by row, then scaled.
   */
  public static float[] cellMeans(float[] maps, int n, int height, int width, int h, int w) {
    int fy = height / h;
    int fx = width / w;
    int cells = h * w;
    float[] out = new float[n * cells];
    for (int j = 0; j < n; j++) {
      int src = j * height * width;
      int dst = j * cells;
      for (int y = 0; y < height; y++) {
        int row = dst + (y / fy) * w;
        for (int x = 0; x < width; x++) {
          out[row + x / fx] += maps[src + y * width + x];
        }
      }
    }
    float per = 1f / (fy * fx);
    for (int c = 0; c < out.length; c++) {
      out[c] *= per;
    }
    return out;
  }

  /**
   * {@code samples} Bernoulli masks per image from keep probabilities {@code probs} ({@code
   * [n][cells]}), laid out {@code [n][samples][cells]}, drawn from {@code rng} in that order.
   */
  public static float[] sample(float[] probs, int n, int samples, int cells, java.util.SplittableRandom rng) {
    float[] masks = new float[n * samples * cells];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < samples; s++) {
        int off = (i * samples + s) * cells;
        for (int c = 0; c < cells; c++) {
          masks[off + c] = rng.nextDouble() < probs[i * cells + c] ? 1f : 0f;
        }
      }
    }
    return masks;
  }

  /**
   * Writes {@code image} (normalised CHW, {@code H x W}) with the cells of {@code mask} ({@code h x
   * w}, nearest upsampling) that are 0 set to 0, i.e. to the dataset mean — the paper's removal.
   * A soft mask (values in [0,1]) scales the pixels towards the mean.
   */
  public static void applyMask(float[] image, int imageOffset, int height, int width, float[] mask, int maskOffset,
      int h, int w, float[] dst, int dstOffset) {
    applyMask(image, imageOffset, height, width, mask, maskOffset, h, w, null, dst, dstOffset);
  }

  /**
   * As {@link #applyMask(float[], int, int, int, float[], int, int, int, float[], int)}, with the
   * removed part taken from {@code substrate} (one image, CHW from offset 0) instead of the mean:
   * {@code x·m + substrate·(1 − m)}; a null substrate is the mean.
   */
  public static void applyMask(float[] image, int imageOffset, int height, int width, float[] mask, int maskOffset,
      int h, int w, float[] substrate, float[] dst, int dstOffset) {
    int fy = height / h;
    int fx = width / w;
    int plane = height * width;
    for (int y = 0; y < height; y++) {
      int row = maskOffset + (y / fy) * w;
      for (int x = 0; x < width; x++) {
        float keep = mask[row + x / fx];
        int p = y * width + x;
        for (int c = 0; c < 3; c++) {
          float v = keep * image[imageOffset + c * plane + p];
          if (substrate != null) {
            v += (1f - keep) * substrate[c * plane + p];
          }
          dst[dstOffset + c * plane + p] = v;
        }
      }
    }
  }
}
