package io.maskserve.server.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a keep-probability map into binary masks: the deterministic mask ({@code p >= threshold})
 * and Bernoulli samples; and a baseline's saliency map into the mask of its most salient pixels
 * ({@link #top}).
 *
 * <p><b>Sampling scheme</b> (stable: clients reproduce samples from the seed). One {@link
 * SplittableRandom} is created as {@code new SplittableRandom(seed)}; samples are drawn one after
 * the other, and within a sample pixels in row-major order; pixel {@code i} of a sample is kept iff
 * {@code rng.nextDouble() < p[i]}. {@code SplittableRandom} is SplitMix64 (golden gamma {@code
 * 0x9e3779b97f4a7c15}, {@code nextDouble() = (nextLong() >>> 11) * 2^-53}), specified well enough to
 * reimplement in another language. Consequences: the same seed and map give identical samples;
 * sample {@code k} of a request for {@code K} samples equals sample {@code k} of a request for more;
 * {@code p = 0} is never kept and {@code p = 1} always.
 *
 * <p>Stateless and thread-safe.
 */
public final class MaskSampler {

  /** The deterministic mask: pixel kept iff {@code map[i] >= threshold}. */
  public PackedMask threshold(float[] map, int height, int width, float threshold) {
    checkSize(map, height, width);
    boolean[] keep = new boolean[map.length];
    for (int i = 0; i < map.length; i++) {
      keep[i] = map[i] >= threshold;
    }
    return PackedMask.pack(height, width, keep);
  }

  /**
   * The mask keeping the {@code round(fraction * height * width)} pixels of highest {@code map}
   * value; ties go to the pixel first in row-major order, NaN ranks below everything. Deterministic.
   *
   * @param fraction in [0,1]
   */
  public PackedMask top(float[] map, int height, int width, float fraction) {
    checkSize(map, height, width);
    if (!(fraction >= 0f && fraction <= 1f)) {
      throw new IllegalArgumentException("fraction must be in [0,1], got " + fraction);
    }
    int n = map.length;
    int k = (int) Math.round((double) fraction * n);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Stable sort (TimSort): equal values keep row-major order.
    java.util.Arrays.sort(order, (a, b) -> Float.compare(rank(map[b]), rank(map[a])));
    boolean[] keep = new boolean[n];
    for (int i = 0; i < k; i++) {
      keep[order[i]] = true;
    }
    return PackedMask.pack(height, width, keep);
  }

  private static float rank(float v) {
    return Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
  }

  /** {@code count} Bernoulli masks of {@code map}, drawn as the class comment specifies. */
  public List<PackedMask> sample(float[] map, int height, int width, int count, long seed) {
    checkSize(map, height, width);
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<PackedMask> masks = new ArrayList<>(count);
    boolean[] keep = new boolean[map.length];
    for (int k = 0; k < count; k++) {
      for (int i = 0; i < map.length; i++) {
        keep[i] = rng.nextDouble() < map[i];
      }
      masks.add(PackedMask.pack(height, width, keep));
    }
    return List.copyOf(masks);
  }

  private static void checkSize(float[] map, int height, int width) {
    if (height < 1 || width < 1 || map.length != height * width) {
      throw new IllegalArgumentException(
          "map has " + map.length + " values, expected " + height + "x" + width);
    }
  }
}
