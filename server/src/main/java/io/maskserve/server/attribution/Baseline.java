package io.maskserve.server.attribution;

/** The baseline attribution methods (see each class for its exact definition). */
public enum Baseline {
  /** {@link Gradient}. */
  GRADIENT,
  /** {@link SmoothGrad}. */
  SMOOTHGRAD,
  /** {@link IntegratedGradients}. */
  INTEGRATED_GRADIENTS,
  /** {@link GradCam}. */
  GRAD_CAM,
  /** {@link Rise}. */
  RISE,
  /** {@link Occlusion}. */
  OCCLUSION,
  /** {@link Centre}. */
  CENTRE,
  /** {@link RandomMap}. */
  RANDOM_MAP
}
