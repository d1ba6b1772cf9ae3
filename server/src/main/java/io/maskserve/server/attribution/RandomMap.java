package io.maskserve.server.attribution;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The random baseline: every pixel an independent uniform draw in [0,1), whatever the classifier.
 * Not an explanation but the floor one must beat on every metric ("is this better than chance?").
 * On deletion with a mean substrate it is a hard floor for small, non-robust classifiers: removing
 * scattered pixels sprinkles grey noise over the whole image, which such a classifier often
 * misreads sooner than the loss of any one region.
 *
 * <p>The draws come from the request seed mixed with a hash of the image, so one request is
 * reproducible and the images of one evaluation (one seed) get independent maps.
 */
public final class RandomMap implements SaliencyMethod {

  private final long seed;

  /** @param seed the request seed */
  public RandomMap(long seed) {
    this.seed = seed;
  }

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    return map(seed, image, runner.height() * runner.width());
  }

  /** The map of {@code pixels} values for {@code image} (normalised, any layout) under {@code seed}. */
  static float[] map(long seed, float[] image, int pixels) {
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + Arrays.hashCode(image));
    float[] out = new float[pixels];
    for (int i = 0; i < pixels; i++) {
      out[i] = (float) rng.nextDouble();
    }
    return out;
  }
}
