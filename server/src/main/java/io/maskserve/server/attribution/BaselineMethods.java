package io.maskserve.server.attribution;

import io.maskserve.server.attribution.AttributionException.Reason;
import io.maskserve.server.limits.ServerLimits;
import java.util.Objects;

/**
 * Turns a baseline and a request's {@link AttributionOptions} into a {@link SaliencyMethod},
 * applying the defaults and validating: an option out of range is INVALID_ARGUMENT naming the
 * field ({@code method_options.<field>}); a count above the server's limit is RESOURCE_EXHAUSTED
 * naming the limit's flag. Only the requested method's options are read. Stateless.
 *
 * <p>Defaults: SmoothGrad 50 samples at sigma 0.15 of the input range; integrated gradients 50
 * steps; Grad-CAM the last convolution; RISE 4000 masks, 8x8 grid, p 0.5, 128 per call; occlusion
 * window {@code max(2, min(H,W)/8)}, stride {@code max(1, window/2)}.
 */
public final class BaselineMethods {

  public static final int DEFAULT_SMOOTHGRAD_SAMPLES = 50;
  public static final float DEFAULT_SMOOTHGRAD_SIGMA_FRACTION = 0.15f;
  public static final int DEFAULT_IG_STEPS = 50;
  public static final int DEFAULT_RISE_MASKS = 4000;
  public static final int DEFAULT_RISE_GRID = 8;
  public static final float DEFAULT_RISE_P = 0.5f;
  public static final int DEFAULT_RISE_BATCH = 128;
  /** Largest RISE batch a request may ask for (rows per call are also capped by memory). */
  public static final int MAX_RISE_BATCH = 1024;

  private final ServerLimits limits;

  /** Validates against {@code limits}. */
  public BaselineMethods(ServerLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * The method {@code baseline} with {@code options} for an {@code height x width} input.
   *
   * @param seed the seed of the random methods (SmoothGrad noise, RISE masks, the random map); ignored by the others
   * @throws AttributionException INVALID_ARGUMENT or RESOURCE_EXHAUSTED as the class comment says
   */
  public SaliencyMethod create(Baseline baseline, AttributionOptions options, int height, int width, long seed) {
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(options, "options");
    return switch (baseline) {
      case GRADIENT -> new Gradient();
      case SMOOTHGRAD -> {
        int n = options.smoothGradSamples().orElse(DEFAULT_SMOOTHGRAD_SAMPLES);
        atLeastOne("smoothgrad_samples", n);
        atMost("smoothgrad_samples", n, limits.maxSmoothGradSamples(), "--max-smoothgrad-samples");
        float sigma = options.smoothGradSigmaFraction().orElse(DEFAULT_SMOOTHGRAD_SIGMA_FRACTION);
        if (!(sigma >= 0f && sigma <= 1f)) {
          throw invalid("method_options.smoothgrad_sigma_fraction must be in [0,1], got " + sigma);
        }
        yield new SmoothGrad(n, sigma, seed, AttributionRunner.DEFAULT_GRADIENT_BATCH);
      }
      case INTEGRATED_GRADIENTS -> {
        int steps = options.igSteps().orElse(DEFAULT_IG_STEPS);
        atLeastOne("ig_steps", steps);
        atMost("ig_steps", steps, limits.maxIgSteps(), "--max-ig-steps");
        yield new IntegratedGradients(steps, AttributionRunner.DEFAULT_GRADIENT_BATCH);
      }
      case GRAD_CAM -> {
        String layer = options.gradCamLayer().orElse("");
        yield new GradCam(layer.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(layer));
      }
      case RISE -> {
        int n = options.riseMasks().orElse(DEFAULT_RISE_MASKS);
        atLeastOne("rise_masks", n);
        atMost("rise_masks", n, limits.maxRiseMasks(), "--max-rise-masks");
        int grid = options.riseGrid().orElse(DEFAULT_RISE_GRID);
        int side = Math.min(height, width);
        if (grid < 1 || grid > side) {
          throw invalid("method_options.rise_grid must be in 1.." + side + " (the input's smaller side), got " + grid);
        }
        float p = options.riseP().orElse(DEFAULT_RISE_P);
        if (!(p > 0f && p <= 1f)) {
          throw invalid("method_options.rise_p must be in (0,1], got " + p);
        }
        int batch = options.riseBatch().orElse(DEFAULT_RISE_BATCH);
        if (batch < 1 || batch > MAX_RISE_BATCH) {
          throw invalid("method_options.rise_batch must be in 1.." + MAX_RISE_BATCH + ", got " + batch);
        }
        yield new Rise(n, grid, p, seed, batch);
      }
      case OCCLUSION -> {
        int side = Math.min(height, width);
        int window = options.occlusionWindow().orElse(Occlusion.defaultWindow(height, width));
        if (window < 1 || window > side) {
          throw invalid("method_options.occlusion_window must be in 1.." + side + " (the input's smaller side), got "
              + window);
        }
        int stride = options.occlusionStride().orElse(Occlusion.defaultStride(window));
        if (stride < 1 || stride > window) {
          throw invalid("method_options.occlusion_stride must be in 1.." + window + " (the window), got " + stride);
        }
        long windows = Occlusion.windows(height, width, window, stride);
        if (windows > limits.maxOcclusionWindows()) {
          throw new AttributionException(Reason.RESOURCE_EXHAUSTED, "occlusion window " + window + " and stride "
              + stride + " give " + windows + " windows on a " + height + "x" + width
              + " input, above this server's limit of " + limits.maxOcclusionWindows() + " (--max-occlusion-windows)");
        }
        yield new Occlusion(window, stride, AttributionRunner.DEFAULT_SCORE_BATCH);
      }
      case CENTRE -> new Centre();
      case RANDOM_MAP -> new RandomMap(seed);
    };
  }

  private static void atLeastOne(String field, int v) {
    if (v < 1) {
      throw invalid("method_options." + field + " must be >= 1, got " + v);
    }
  }

  private static void atMost(String field, int v, int limit, String flag) {
    if (v > limit) {
      throw new AttributionException(Reason.RESOURCE_EXHAUSTED,
          "method_options." + field + " " + v + " exceeds this server's limit of " + limit + " (" + flag + ")");
    }
  }

  private static AttributionException invalid(String message) {
    return new AttributionException(Reason.INVALID_ARGUMENT, message);
  }
}
