package io.maskserve.cli.evaluate;

import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.MethodOptions;

/**
 * What every explain request of an evaluation carries besides the image and the target.
 *
 * @param seed the request seed (SmoothGrad's noise and RISE's masks: the same for every image)
 * @param keepFraction the baselines' kept fraction, or null for the server's default
 * @param riseMasks RISE's mask count, or null for the server's default
 * @param smoothgradSamples SmoothGrad's noisy copies, or null for the default
 * @param igSteps integrated gradients' steps, or null for the default
 * @param gradCamLayer Grad-CAM's layer (a tensor of the classifier graph), or null for the server's
 *     choice (the last convolution)
 */
record RequestOptions(long seed, Float keepFraction, Integer riseMasks, Integer smoothgradSamples, Integer igSteps,
    String gradCamLayer) {

  /** Adds these options to a request for {@code method}. */
  ExplainRequest.Builder apply(ExplainRequest.Builder b, MethodName method) {
    b.setMethod(method.method()).setSeed(seed);
    if (method == MethodName.GENERATOR) {
      return b;
    }
    if (keepFraction != null) {
      b.setKeepFraction(keepFraction);
    }
    MethodOptions.Builder o = MethodOptions.newBuilder();
    if (riseMasks != null) {
      o.setRiseMasks(riseMasks);
    }
    if (smoothgradSamples != null) {
      o.setSmoothgradSamples(smoothgradSamples);
    }
    if (igSteps != null) {
      o.setIgSteps(igSteps);
    }
    if (gradCamLayer != null) {
      o.setGradcamLayer(gradCamLayer);
    }
    return b.setMethodOptions(o);
  }
}
