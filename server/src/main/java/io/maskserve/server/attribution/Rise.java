package io.maskserve.server.attribution;

import io.maskserve.zoo.masks.RiseMasks;
import java.util.SplittableRandom;

/**
 * RISE (Petsiuk, Das & Saenko 2018), as the reference code ({@code eclique/RISE},
 * {@code generate_masks} and {@code forward}) defines it:
 *
 * <ul>
 *   <li>a mask starts as an {@code s x s} binary grid, each cell 1 with probability {@code p};
 *   <li>it is upsampled bilinearly to {@code (s+1)*cell} per side, {@code cell = ceil(H/s)} (and
 *       {@code ceil(W/s)}), as scikit-image's {@code resize(order=1, mode="reflect",
 *       anti_aliasing=False)}: half-pixel centres, source indices outside the grid mirrored
 *       ({@code -1 -> 1}); then cropped to {@code H x W} at a random shift {@code (dy, dx)},
 *       {@code dy} uniform in {@code [0, cell)};
 *   <li>the image times the mask (removed = 0 in normalised space, the dataset mean) is scored by
 *       the classifier, {@code P_i = p(target | x * M_i)};
 *   <li>{@code saliency = sum_i P_i M_i / (N p)}: the expected score given the pixel is kept, in
 *       {@code [0, 1/p]}.
 * </ul>
 *
 * <p><b>Masks</b> ({@link RiseMasks}, reproducible from the seed, independent of batching): one
 * {@code new SplittableRandom(seed)}, masks drawn one after the other. They are generated batch by
 * batch (never all held at once) and scored in batches of {@code batch}, the deadline checked
 * between batches.
 */
public final class Rise implements SaliencyMethod {

  private final int masks;
  private final int grid;
  private final float p;
  private final long seed;
  private final int batch;

  /**
   * @param masks N, {@code >= 1}
   * @param grid s, {@code >= 1}
   * @param p probability of keeping a cell, in {@code (0,1]}
   * @param seed mask seed
   * @param batch masked images per classifier call, {@code >= 1}
   */
  public Rise(int masks, int grid, float p, long seed, int batch) {
    if (masks < 1 || grid < 1 || !(p > 0f && p <= 1f) || batch < 1) {
      throw new IllegalArgumentException(
          "bad RISE parameters: masks " + masks + ", grid " + grid + ", p " + p + ", batch " + batch);
    }
    this.masks = masks;
    this.grid = grid;
    this.p = p;
    this.seed = seed;
    this.batch = batch;
  }

  /** A mask generator for an {@code h x w} input, starting at this method's first mask. */
  public RiseMasks generator(int h, int w) {
    return new RiseMasks(grid, p, h, w, new SplittableRandom(seed));
  }

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    int h = runner.height();
    int w = runner.width();
    int plane = runner.plane();
    int size = runner.imageSize();
    RiseMasks gen = generator(h, w);
    double[] acc = new double[plane];
    runner.inBatches(masks, runner.rowsPerCall(batch), "RISE", (from, to) -> {
      int n = to - from;
      float[] m = new float[n * plane];
      float[] masked = new float[n * size];
      for (int r = 0; r < n; r++) {
        gen.next(m, r * plane);
        for (int c = 0; c < 3; c++) {
          for (int i = 0; i < plane; i++) {
            masked[r * size + c * plane + i] = image[c * plane + i] * m[r * plane + i];
          }
        }
      }
      float[] scores = runner.probabilities(masked, n, target);
      for (int r = 0; r < n; r++) {
        double s = scores[r];
        for (int i = 0; i < plane; i++) {
          acc[i] += s * m[r * plane + i];
        }
      }
    });
    return Saliency.divide(acc, (double) masks * p);
  }
}
