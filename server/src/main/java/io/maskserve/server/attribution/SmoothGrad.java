package io.maskserve.server.attribution;

import java.util.SplittableRandom;

/**
 * SmoothGrad (Smilkov et al. 2017) of the vanilla gradient map: {@code map = (1/n) sum_i
 * max_c |d logit[target] / d x|} evaluated at {@code x + eps_i}, {@code eps_i ~ N(0, sigma^2)}
 * per value, {@code sigma = sigmaFraction * (max(x) - min(x))} over the whole input tensor (the
 * paper's "noise level" relative to the input range). Units as {@link Gradient}.
 *
 * <p><b>Noise</b> (reproducible from the seed, independent of batching): one {@code new
 * SplittableRandom(seed)}; copies one after the other, values in {@code [c,y,x]} order; each value
 * draws {@code u1, u2 = nextDouble()} and takes the Box-Muller normal {@code sqrt(-2 ln(1 - u1))
 * cos(2 pi u2)}. The copies are differentiated in batches of {@code batch} rows.
 */
public final class SmoothGrad implements SaliencyMethod {

  private final int samples;
  private final float sigmaFraction;
  private final long seed;
  private final int batch;

  /**
   * @param samples noisy copies n, {@code >= 1}
   * @param sigmaFraction sigma relative to the input's range, {@code >= 0}
   * @param seed noise seed
   * @param batch copies per gradient call, {@code >= 1}
   */
  public SmoothGrad(int samples, float sigmaFraction, long seed, int batch) {
    if (samples < 1 || !(sigmaFraction >= 0f) || Float.isInfinite(sigmaFraction) || batch < 1) {
      throw new IllegalArgumentException("bad SmoothGrad parameters: samples " + samples + ", sigma fraction "
          + sigmaFraction + ", batch " + batch);
    }
    this.samples = samples;
    this.sigmaFraction = sigmaFraction;
    this.seed = seed;
    this.batch = batch;
  }

  /** The noise sigma for {@code image}: {@code sigmaFraction * (max - min)}. */
  public double sigma(float[] image) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : image) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return sigmaFraction * ((double) max - min);
  }

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    int size = runner.imageSize();
    int plane = runner.plane();
    double sigma = sigma(image);
    SplittableRandom rng = new SplittableRandom(seed);
    double[] acc = new double[plane];
    runner.inBatches(samples, runner.rowsPerCall(batch), "SmoothGrad", (from, to) -> {
      int n = to - from;
      float[] noisy = new float[n * size];
      for (int r = 0; r < n; r++) {
        for (int i = 0; i < size; i++) {
          noisy[r * size + i] = (float) (image[i] + sigma * normal(rng));
        }
      }
      float[] g = runner.inputGradients(noisy, n, target);
      for (int r = 0; r < n; r++) {
        Saliency.addMaxAbsOverChannels(acc, g, r * size, plane);
      }
    });
    return Saliency.divide(acc, samples);
  }

  /** A standard normal by Box-Muller (the cosine branch), as the class comment specifies. */
  static double normal(SplittableRandom rng) {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
