package io.maskserve.server.attribution;

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
 * <p><b>Masks</b> (reproducible from the seed, independent of batching): one {@code new
 * SplittableRandom(seed)}; masks one after the other, each drawing its {@code s*s} cells
 * row-major ({@code nextDouble() < p}) then {@code dy = nextInt(cellH)}, {@code dx =
 * nextInt(cellW)}. Masks are generated batch by batch (never all held at once) and scored in
 * batches of {@code batch}, the deadline checked between batches.
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

  /** Generates the masks of this method for an {@code h x w} input, one after the other. */
  public final class Generator {
    private final int h;
    private final int w;
    private final int cellH;
    private final int cellW;
    private final int[] y0;
    private final int[] y1;
    private final float[] fy;
    private final int[] x0;
    private final int[] x1;
    private final float[] fx;
    private final SplittableRandom rng = new SplittableRandom(seed);
    private final float[] cells = new float[grid * grid];

    Generator(int h, int w) {
      this.h = h;
      this.w = w;
      this.cellH = ceilDiv(h, grid);
      this.cellW = ceilDiv(w, grid);
      int upH = (grid + 1) * cellH;
      int upW = (grid + 1) * cellW;
      y0 = new int[upH];
      y1 = new int[upH];
      fy = new float[upH];
      axis(grid, upH, y0, y1, fy);
      x0 = new int[upW];
      x1 = new int[upW];
      fx = new float[upW];
      axis(grid, upW, x0, x1, fx);
    }

    /** Writes the next mask, {@code h*w} values in [0,1], into {@code dst} at {@code offset}. */
    public void next(float[] dst, int offset) {
      for (int i = 0; i < cells.length; i++) {
        cells[i] = rng.nextDouble() < p ? 1f : 0f;
      }
      int dy = rng.nextInt(cellH);
      int dx = rng.nextInt(cellW);
      for (int y = 0; y < h; y++) {
        int uy = y + dy;
        int r0 = y0[uy] * grid;
        int r1 = y1[uy] * grid;
        float wy = fy[uy];
        for (int x = 0; x < w; x++) {
          int ux = x + dx;
          float top = cells[r0 + x0[ux]] * (1 - fx[ux]) + cells[r0 + x1[ux]] * fx[ux];
          float bottom = cells[r1 + x0[ux]] * (1 - fx[ux]) + cells[r1 + x1[ux]] * fx[ux];
          dst[offset + y * w + x] = top * (1 - wy) + bottom * wy;
        }
      }
    }
  }

  /** A mask generator for an {@code h x w} input, starting at this method's first mask. */
  public Generator generator(int h, int w) {
    return new Generator(h, w);
  }

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    int h = runner.height();
    int w = runner.width();
    int plane = runner.plane();
    int size = runner.imageSize();
    Generator gen = generator(h, w);
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

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /**
   * Source indices and weights of one axis of the mask upsampling: half-pixel centres, indices
   * outside {@code [0, in)} mirrored about the edge pixels (numpy's "reflect").
   */
  private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
    double scale = (double) in / out;
    for (int d = 0; d < out; d++) {
      double c = (d + 0.5) * scale - 0.5;
      int lo = (int) Math.floor(c);
      i0[d] = mirror(lo, in);
      i1[d] = mirror(lo + 1, in);
      frac[d] = (float) (c - lo);
    }
  }

  /** Index {@code i} reflected into {@code [0, n)} without repeating the edge: -1 -> 1, n -> n-2. */
  static int mirror(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }
}
