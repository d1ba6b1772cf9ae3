package io.maskserve.server.attribution;

/**
 * Integrated gradients (Sundararajan, Taly & Yan 2017) from the baseline {@code x' = 0} in
 * normalised space (the dataset mean): {@code a = x * (1/m) sum_k grad(alpha_k x)} with the
 * <b>midpoint</b> Riemann rule {@code alpha_k = (k + 1/2) / m}, {@code k = 0..m-1}, {@code grad}
 * the gradient of the target's logit. The map is {@code sum_c |a[c,p]|}, in logits. Completeness
 * holds up to the quadrature error: {@code sum a ~= logit(x) - logit(0)} (exactly for a linear
 * model). The m points are differentiated in batches of {@code batch} rows.
 */
public final class IntegratedGradients implements SaliencyMethod {

  private final int steps;
  private final int batch;

  /**
   * @param steps Riemann steps m, {@code >= 1}
   * @param batch points per gradient call, {@code >= 1}
   */
  public IntegratedGradients(int steps, int batch) {
    if (steps < 1 || batch < 1) {
      throw new IllegalArgumentException("bad integrated-gradients parameters: steps " + steps + ", batch " + batch);
    }
    this.steps = steps;
    this.batch = batch;
  }

  /** The signed attributions {@code a [3,H,W]} (the map is their channel sum of absolute values). */
  public float[] attributions(AttributionRunner runner, float[] image, int target) {
    int size = runner.imageSize();
    double[] sum = new double[size];
    runner.inBatches(steps, runner.rowsPerCall(batch), "integrated gradients", (from, to) -> {
      int n = to - from;
      float[] points = new float[n * size];
      for (int r = 0; r < n; r++) {
        float alpha = (float) ((from + r + 0.5) / steps);
        for (int i = 0; i < size; i++) {
          points[r * size + i] = alpha * image[i];
        }
      }
      float[] g = runner.inputGradients(points, n, target);
      for (int r = 0; r < n; r++) {
        for (int i = 0; i < size; i++) {
          sum[i] += g[r * size + i];
        }
      }
    });
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (image[i] * (sum[i] / steps));
    }
    return a;
  }

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    return Saliency.sumAbsOverChannels(attributions(runner, image, target), runner.plane());
  }
}
