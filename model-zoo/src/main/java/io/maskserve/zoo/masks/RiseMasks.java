package io.maskserve.zoo.masks;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * RISE's random masks (Petsiuk, Das &amp; Saenko 2018), as the reference code ({@code eclique/RISE},
 * {@code generate_masks}) draws them: an {@code s x s} binary grid, each cell 1 with probability
 * {@code p}, upsampled bilinearly to {@code (s+1)*cell} per side ({@code cell = ceil(H/s)}, and
 * {@code ceil(W/s)}) as scikit-image's {@code resize(order=1, mode="reflect", anti_aliasing=False)}
 * does (half-pixel centres, source indices outside the grid mirrored: {@code -1 -> 1}), then
 * cropped to {@code H x W} at a random shift {@code (dy, dx)}, {@code dy} uniform in {@code [0,
 * cell)}.
 *
 * <p>Each mask draws its {@code s*s} cells row-major ({@code nextDouble() < p}), then {@code dy =
 * nextInt(cellH)}, {@code dx = nextInt(cellW)}, from the stream given to the constructor, so a
 * seeded stream gives the same masks whatever the caller's batching. Not thread-safe.
 */
public final class RiseMasks {

  private final int grid;
  private final float p;
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
  private final SplittableRandom rng;
  private final float[] cells;

  /**
   * @param grid s, {@code >= 1}
   * @param p probability of keeping a cell, in {@code (0,1]}
   * @param h mask height, {@code >= 1}
   * @param w mask width, {@code >= 1}
   * @param rng the stream the masks are drawn from (each {@link #next} call draws from it)
   */
  public RiseMasks(int grid, float p, int h, int w, SplittableRandom rng) {
    if (grid < 1 || !(p > 0f && p <= 1f) || h < 1 || w < 1) {
      throw new IllegalArgumentException("bad RISE masks: grid " + grid + ", p " + p + ", size " + h + "x" + w);
    }
    this.grid = grid;
    this.p = p;
    this.h = h;
    this.w = w;
    this.rng = Objects.requireNonNull(rng, "rng");
    this.cells = new float[grid * grid];
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

  /** Writes the next mask, {@code h*w} values in [0,1] row-major, into {@code dst} at {@code offset}. */
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

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /**
   * Source indices and weights of one axis of the upsampling: half-pixel centres, indices outside
   * {@code [0, in)} mirrored about the edge pixels (numpy's "reflect").
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
