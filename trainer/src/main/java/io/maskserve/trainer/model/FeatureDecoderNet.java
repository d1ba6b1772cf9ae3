package io.maskserve.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A generator that decodes classifier tensors, see {@link DecoderConfig}. Inputs: one array per
 * tap, {@code [N,channels,height,width]}, in the config's order; output keep probabilities {@code
 * [N,1,outputHeight,outputWidth]} in [0,1]. Unconditional: it explains the class its training
 * targets were (the classifier's top-1), which the tapped tensors already encode.
 */
public final class FeatureDecoderNet extends AbstractBlock implements MaskGenerator {

  private final DecoderConfig config;
  /** Per tap, the 1×1 projection to the decoder width. */
  private final List<ConvBnRelu> laterals = new ArrayList<>();
  /** Per tap, the 3×3 block after the projection (level 0) or after the concatenation. */
  private final List<ConvBnRelu> merges = new ArrayList<>();
  private final Conv2d head;

  /**
   * @param config the architecture
   */
  public FeatureDecoderNet(DecoderConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    for (int i = 0; i < config.taps().size(); i++) {
      laterals.add(addChildBlock("lateral" + i, new ConvBnRelu(config.width(), 1)));
      merges.add(addChildBlock("merge" + i, new ConvBnRelu(config.width(), 3)));
    }
    head = addChildBlock("head", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(1).optBias(true).build());
  }

  /** The architecture. */
  public DecoderConfig config() {
    return config;
  }

  /** The 1×1 projections, one per tap, deepest first. */
  public List<ConvBnRelu> laterals() {
    return Collections.unmodifiableList(laterals);
  }

  /** The 3×3 blocks, one per tap, deepest first. */
  public List<ConvBnRelu> merges() {
    return Collections.unmodifiableList(merges);
  }

  @Override
  public Conv2d head() {
    return head;
  }

  @Override
  public boolean conditional() {
    return false;
  }

  @Override
  public String architecture() {
    StringBuilder b = new StringBuilder("decoder width=" + config.width() + " smooth=" + config.smoothKernel());
    for (Tap t : config.taps()) {
      b.append(" tap=").append(t.tensor()).append('[').append(t.channels()).append(',').append(t.height())
          .append(',').append(t.width()).append(']');
    }
    return b.toString();
  }

  @Override
  public int outputHeight(int inputHeight) {
    return config.outputHeight();
  }

  @Override
  public int outputWidth(int inputWidth) {
    return config.outputWidth();
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(probabilities(logits(ps, inputs, training)));
  }

  @Override
  public NDArray probabilities(NDArray logits) {
    return GeneratorNet.probabilities(logits, config.smoothKernel());
  }

  /** The logits {@code [N,1,h,w]} before sigmoid and smoothing. */
  @Override
  public NDArray logits(ParameterStore ps, NDList taps, boolean training) {
    if (taps.size() != config.taps().size()) {
      throw new IllegalArgumentException("the decoder reads " + config.taps().size() + " classifier tensors "
          + config.tensors() + ", got " + taps.size() + " inputs");
    }
    NDArray x = null;
    for (int i = 0; i < laterals.size(); i++) {
      NDArray lateral = laterals.get(i).forward(ps, new NDList(taps.get(i)), training).singletonOrThrow();
      if (x == null) {
        x = lateral;
      } else {
        int f = config.factor(i);
        x = NDArrays.concat(new NDList(x.repeat(2, f).repeat(3, f), lateral), 1);
      }
      x = merges.get(i).forward(ps, new NDList(x), training).singletonOrThrow();
    }
    return head.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), 1, config.outputHeight(), config.outputWidth())};
  }

  /** Initialises for a batch of {@code n} (the taps' shapes come from the config). */
  public void initialize(NDManager manager, int n) {
    Shape[] shapes = config.taps().stream().map(t -> new Shape(n, t.channels(), t.height(), t.width()))
        .toArray(Shape[]::new);
    initialize(manager, DataType.FLOAT32, shapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long n = inputShapes[0].get(0);
    int w = config.width();
    for (int i = 0; i < laterals.size(); i++) {
      Tap t = config.taps().get(i);
      laterals.get(i).initialize(manager, dataType, new Shape(n, t.channels(), t.height(), t.width()));
      merges.get(i).initialize(manager, dataType, new Shape(n, i == 0 ? w : 2L * w, t.height(), t.width()));
    }
    Tap last = config.taps().get(config.taps().size() - 1);
    head.initialize(manager, dataType, new Shape(n, w, last.height(), last.width()));
  }
}
