package io.maskserve.server.attribution;

/**
 * An attribution method: a saliency map of one image for one class, at the image's resolution.
 * Implementations are immutable (their parameters, seed included, are fixed at construction) and
 * thread-safe; all inference goes through the {@link AttributionRunner}.
 */
@FunctionalInterface
public interface SaliencyMethod {

  /**
   * The saliency map of {@code image} for {@code target}.
   *
   * @param runner runs the classifier and its gradient models, and checks the deadline
   * @param image the normalised input {@code [3,H,W]}, H and W the runner's
   * @param target the explained class
   * @return {@code H*W} values, row-major; larger = more important for the target
   * @throws AttributionException when the method cannot run on this model or with these options
   */
  float[] saliency(AttributionRunner runner, float[] image, int target);
}
