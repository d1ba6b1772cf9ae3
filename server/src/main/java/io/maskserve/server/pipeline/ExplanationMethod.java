package io.maskserve.server.pipeline;

import io.maskserve.server.attribution.Baseline;
import java.util.Optional;

/** How an explanation's map is computed: the model's generator, or a baseline attribution method. */
public enum ExplanationMethod {
  /** The trained generator (keep probabilities, thresholded and sampled). */
  GENERATOR(null),
  /** See {@link io.maskserve.server.attribution.Gradient}. */
  GRADIENT(Baseline.GRADIENT),
  /** See {@link io.maskserve.server.attribution.SmoothGrad}. */
  SMOOTHGRAD(Baseline.SMOOTHGRAD),
  /** See {@link io.maskserve.server.attribution.IntegratedGradients}. */
  INTEGRATED_GRADIENTS(Baseline.INTEGRATED_GRADIENTS),
  /** See {@link io.maskserve.server.attribution.GradCam}. */
  GRAD_CAM(Baseline.GRAD_CAM),
  /** See {@link io.maskserve.server.attribution.Rise}. */
  RISE(Baseline.RISE),
  /** See {@link io.maskserve.server.attribution.Occlusion}. */
  OCCLUSION(Baseline.OCCLUSION),
  /** See {@link io.maskserve.server.attribution.Centre}. */
  CENTRE(Baseline.CENTRE),
  /** See {@link io.maskserve.server.attribution.RandomMap}. */
  RANDOM(Baseline.RANDOM_MAP);

  private final Baseline baseline;

  ExplanationMethod(Baseline baseline) {
    this.baseline = baseline;
  }

  /** The baseline this method runs; empty for the generator. */
  public Optional<Baseline> baseline() {
    return Optional.ofNullable(baseline);
  }

  /** Whether this is the generator. */
  public boolean isGenerator() {
    return baseline == null;
  }
}
