package io.maskserve.zoo.autodiff;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Autodiff#augment} differentiates.
 *
 * @param score the scalar per sample whose gradient is computed: the target's logit or its log-softmax
 * @param layers names of intermediate tensors for which the activation and its gradient become outputs
 *     ({@code <name>} and {@code <name>_grad})
 */
public record AutodiffOptions(Score score, List<String> layers) {

  /** The differentiated score of the target class. */
  public enum Score {
    /** {@code logits[n, target[n]]}. */
    LOGIT,
    /** {@code log_softmax(logits[n])[target[n]]}. */
    LOG_SOFTMAX
  }

  public AutodiffOptions {
    Objects.requireNonNull(score, "score");
    layers = List.copyOf(layers);
  }

  /** Gradient of the target's logit, no intermediate layers. */
  public static AutodiffOptions logit() {
    return new AutodiffOptions(Score.LOGIT, List.of());
  }

  /** The same score, with these intermediate layers. */
  public AutodiffOptions withLayers(List<String> names) {
    return new AutodiffOptions(score, names);
  }
}
