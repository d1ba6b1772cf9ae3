package io.maskserve.server.attribution;

/**
 * Vanilla gradient (Simonyan, Vedaldi & Zisserman 2014): {@code map[p] = max_c |d logit[target] /
 * d x[c,p]|}, x the normalised input. Units: logit per normalised input unit; always {@code >= 0}.
 * One gradient call.
 */
public final class Gradient implements SaliencyMethod {

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    runner.check("gradient");
    float[] g = runner.inputGradients(image, 1, target);
    double[] acc = new double[runner.plane()];
    Saliency.addMaxAbsOverChannels(acc, g, 0, runner.plane());
    return Saliency.divide(acc, 1);
  }
}
