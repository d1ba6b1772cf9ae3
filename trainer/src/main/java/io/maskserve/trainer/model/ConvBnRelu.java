package io.maskserve.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A k×k convolution (3×3 unless said otherwise; stride 1, padding k/2, no bias: the batch norm's shift replaces it), batch
 * normalisation and ReLU. The exporter folds the batch norm into the convolution.
 */
public final class ConvBnRelu extends AbstractBlock {

  /** Batch-norm epsilon; the exporter uses the same value when folding. */
  public static final float BN_EPSILON = 1e-5f;

  private final int channels;
  private final Conv2d conv;
  private final BatchNorm bn;

  /**
   * @param channels output channels
   */
  public ConvBnRelu(int channels) {
    this(channels, 3);
  }

  /**
   * @param channels output channels
   * @param kernel odd kernel size (padding keeps the spatial size)
   */
  public ConvBnRelu(int channels, int kernel) {
    if (kernel < 1 || kernel % 2 == 0) {
      throw new IllegalArgumentException("kernel must be odd, got " + kernel);
    }
    this.channels = channels;
    conv = addChildBlock("conv", Conv2d.builder().setKernelShape(new Shape(kernel, kernel))
        .optPadding(new Shape(kernel / 2, kernel / 2)).setFilters(channels).optBias(false).build());
    bn = addChildBlock("bn", BatchNorm.builder().optEpsilon(BN_EPSILON).build());
  }

  /** Output channels. */
  public int channels() {
    return channels;
  }

  /** The convolution. */
  public Conv2d conv() {
    return conv;
  }

  /** The batch normalisation. */
  public BatchNorm bn() {
    return bn;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList y = conv.forward(ps, inputs, training);
    y = bn.forward(ps, y, training);
    return new NDList(Activation.relu(y.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), channels, s.get(2), s.get(3))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    conv.initialize(manager, dataType, inputShapes);
    bn.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
  }
}
