package io.maskserve.server.attribution;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A request's parameters for the baseline methods, free of protocol types; empty = the method's
 * default (see {@link BaselineMethods}). Only the requested method's fields are read.
 *
 * @param smoothGradSamples SmoothGrad noisy copies
 * @param smoothGradSigmaFraction SmoothGrad noise sigma as a fraction of (max - min) of the input
 * @param igSteps integrated-gradients Riemann steps
 * @param gradCamLayer Grad-CAM layer (a 4-D tensor of the classifier graph)
 * @param riseMasks RISE masks
 * @param riseGrid RISE grid cells per side
 * @param riseP RISE probability of keeping a cell
 * @param riseBatch RISE masked images per classifier call
 * @param occlusionWindow occlusion patch side
 * @param occlusionStride occlusion stride
 */
public record AttributionOptions(
    OptionalInt smoothGradSamples,
    Optional<Float> smoothGradSigmaFraction,
    OptionalInt igSteps,
    Optional<String> gradCamLayer,
    OptionalInt riseMasks,
    OptionalInt riseGrid,
    Optional<Float> riseP,
    OptionalInt riseBatch,
    OptionalInt occlusionWindow,
    OptionalInt occlusionStride) {

  private static final AttributionOptions DEFAULTS = builder().build();

  public AttributionOptions {
    smoothGradSamples = orEmpty(smoothGradSamples);
    smoothGradSigmaFraction = smoothGradSigmaFraction == null ? Optional.empty() : smoothGradSigmaFraction;
    igSteps = orEmpty(igSteps);
    gradCamLayer = gradCamLayer == null ? Optional.empty() : gradCamLayer;
    riseMasks = orEmpty(riseMasks);
    riseGrid = orEmpty(riseGrid);
    riseP = riseP == null ? Optional.empty() : riseP;
    riseBatch = orEmpty(riseBatch);
    occlusionWindow = orEmpty(occlusionWindow);
    occlusionStride = orEmpty(occlusionStride);
  }

  private static OptionalInt orEmpty(OptionalInt v) {
    return v == null ? OptionalInt.empty() : v;
  }

  /** Every option at its default. */
  public static AttributionOptions defaults() {
    return DEFAULTS;
  }

  /** A builder with every option unset. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link AttributionOptions}; unset options take the method's default. */
  public static final class Builder {
    private OptionalInt smoothGradSamples = OptionalInt.empty();
    private Optional<Float> smoothGradSigmaFraction = Optional.empty();
    private OptionalInt igSteps = OptionalInt.empty();
    private Optional<String> gradCamLayer = Optional.empty();
    private OptionalInt riseMasks = OptionalInt.empty();
    private OptionalInt riseGrid = OptionalInt.empty();
    private Optional<Float> riseP = Optional.empty();
    private OptionalInt riseBatch = OptionalInt.empty();
    private OptionalInt occlusionWindow = OptionalInt.empty();
    private OptionalInt occlusionStride = OptionalInt.empty();

    private Builder() {}

    public Builder smoothGradSamples(int v) {
      smoothGradSamples = OptionalInt.of(v);
      return this;
    }

    public Builder smoothGradSigmaFraction(float v) {
      smoothGradSigmaFraction = Optional.of(v);
      return this;
    }

    public Builder igSteps(int v) {
      igSteps = OptionalInt.of(v);
      return this;
    }

    public Builder gradCamLayer(String v) {
      gradCamLayer = Optional.of(v);
      return this;
    }

    public Builder riseMasks(int v) {
      riseMasks = OptionalInt.of(v);
      return this;
    }

    public Builder riseGrid(int v) {
      riseGrid = OptionalInt.of(v);
      return this;
    }

    public Builder riseP(float v) {
      riseP = Optional.of(v);
      return this;
    }

    public Builder riseBatch(int v) {
      riseBatch = OptionalInt.of(v);
      return this;
    }

    public Builder occlusionWindow(int v) {
      occlusionWindow = OptionalInt.of(v);
      return this;
    }

    public Builder occlusionStride(int v) {
      occlusionStride = OptionalInt.of(v);
      return this;
    }

    public AttributionOptions build() {
      return new AttributionOptions(smoothGradSamples, smoothGradSigmaFraction, igSteps, gradCamLayer, riseMasks,
          riseGrid, riseP, riseBatch, occlusionWindow, occlusionStride);
    }
  }
}
