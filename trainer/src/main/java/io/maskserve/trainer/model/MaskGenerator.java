package io.maskserve.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * A trainable generator of keep probabilities {@code [N,1,h,w]}: the image U-Net ({@link
 * GeneratorNet}) or a decoder of classifier tensors ({@link FeatureDecoderNet}). What the trainer,
 * checkpoints and the exporter need to know about either.
 */
public interface MaskGenerator extends Block {

  /** The final 1×1 convolution (its bias sets the initial keep probability). */
  Conv2d head();

  /** Whether the class to explain is an input. */
  boolean conditional();

  /** A text identifying the architecture; checkpoints refuse to load into another. */
  String architecture();

  /** Output grid height for an input of {@code inputHeight}. */
  int outputHeight(int inputHeight);

  /** Output grid width for an input of {@code inputWidth}. */
  int outputWidth(int inputWidth);

  /**
   * The logits {@code [N,1,h,w]} before the sigmoid and the smoothing, for the inputs {@code
   * forward} takes; {@code forward} returns {@link #probabilities} of them.
   */
  NDArray logits(ParameterStore ps, NDList inputs, boolean training);

  /** The keep probabilities of {@code logits}: the sigmoid, then the architecture's smoothing. */
  NDArray probabilities(NDArray logits);
}
