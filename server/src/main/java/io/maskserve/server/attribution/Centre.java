package io.maskserve.server.attribution;

/**
 * The centre baseline: a map that ignores the image and the classifier, an isotropic Gaussian
 * peaked at the image centre ({@code sigma = min(H,W)/4}). Localisation benchmarks whose objects
 * are large and centred (ILSVRC) reward it highly, so every method's pointing game and
 * localisation error must be read next to it (TorchRay's "center" baseline).
 */
public final class Centre implements SaliencyMethod {

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    return map(runner.height(), runner.width());
  }

  /** The map for an {@code h x w} input. */
  public static float[] map(int h, int w) {
    double cy = h / 2.0;
    double cx = w / 2.0;
    double sigma = Math.min(h, w) / 4.0;
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double dy = y + 0.5 - cy;
        double dx = x + 0.5 - cx;
        out[y * w + x] = (float) Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      }
    }
    return out;
  }
}
