package io.maskserve.trainer.model;

import java.util.List;
import java.util.Objects;

/**
 * Shape of a {@link FeatureDecoderNet}: a generator that decodes the classifier's own
 * intermediate tensors instead of encoding the image again (the classifier has already computed
 * them for its prediction, so serving pays only for the decoder).
 *
 * <p>The taps are ordered deepest (coarsest) first; each next tap's grid is an integer multiple of
 * the previous one's, and the output grid is the last (finest) tap's. Per tap, a 1×1 {@link
 * ConvBnRelu} projects it to {@code width} channels; the deepest projection goes through a 3×3
 * block; each finer level upsamples the running features (nearest) to its grid, concatenates its
 * projection and applies a 3×3 block; a 1×1 convolution gives one logit per cell, then sigmoid
 * and, when {@code smoothKernel > 1}, the same smoothing average pool as {@link GeneratorNet}.
 *
 * @param taps classifier tensors read, deepest first
 * @param width channels of the decoder
 * @param smoothKernel odd average-pool size applied to the probabilities, 1 = none
 */
public record DecoderConfig(List<Tap> taps, int width, int smoothKernel) {

  public DecoderConfig {
    taps = List.copyOf(Objects.requireNonNull(taps, "taps"));
    if (taps.isEmpty() || taps.size() > 8) {
      throw new IllegalArgumentException("a feature decoder reads 1 to 8 classifier tensors, got " + taps.size());
    }
    if (width < 1 || width > 1024) {
      throw new IllegalArgumentException("decoder width must be in [1,1024], got " + width);
    }
    if (smoothKernel < 1 || smoothKernel % 2 == 0) {
      throw new IllegalArgumentException("smoothKernel must be odd and >= 1, got " + smoothKernel);
    }
    for (int i = 1; i < taps.size(); i++) {
      Tap a = taps.get(i - 1);
      Tap b = taps.get(i);
      if (b.height() % a.height() != 0 || b.width() % a.width() != 0 || b.height() / a.height() != b.width() / a.width()
          || b.height() < a.height()) {
        throw new IllegalArgumentException("tap " + b.tensor() + " (" + b.height() + "x" + b.width()
            + ") is not the same integer multiple in both directions of the coarser tap before it, " + a.tensor()
            + " (" + a.height() + "x" + a.width() + "): order the taps deepest first");
      }
    }
  }

  /** Upsampling factor into level {@code i} (from level {@code i-1}); 1 for level 0. */
  public int factor(int i) {
    return i == 0 ? 1 : taps.get(i).height() / taps.get(i - 1).height();
  }

  /** The output grid's height (the finest tap's). */
  public int outputHeight() {
    return taps.get(taps.size() - 1).height();
  }

  /** The output grid's width (the finest tap's). */
  public int outputWidth() {
    return taps.get(taps.size() - 1).width();
  }

  /** The tapped tensors' names, in order. */
  public List<String> tensors() {
    return taps.stream().map(Tap::tensor).toList();
  }
}
