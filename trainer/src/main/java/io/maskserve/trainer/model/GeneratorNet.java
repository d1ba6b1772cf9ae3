package io.maskserve.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The generator, see {@link GeneratorConfig}. Input normalised images {@code [N,3,H,W]} (H and W
 * divisible by {@code 2^depth}) and, for a class-conditional generator, the classes to explain
 * ({@code [N]}, integer), output keep probabilities {@code [N,1,H/2^outputLevel,
 * W/2^outputLevel]} in [0,1].
 */
public final class GeneratorNet extends AbstractBlock implements MaskGenerator {

  private final GeneratorConfig config;
  private final List<List<ConvBnRelu>> encoder = new ArrayList<>();
  private final List<ConvBnRelu> bottom = new ArrayList<>();
  /** Decoder levels from the deepest ({@code depth-1}) up to {@code outputLevel}. */
  private final List<ConvBnRelu> upConvs = new ArrayList<>();
  private final List<List<ConvBnRelu>> decoder = new ArrayList<>();
  private final Conv2d head;
  /**
   * Class embeddings of a conditional generator, empty otherwise: first {@code [classes, bottom
   * width]} added to the bottom features, then one {@code [classes, width(level)]} per decoder
   * level added after its upsampling convolution.
   */
  private final List<Parameter> classEmbeddings = new ArrayList<>();

  /**
   * @param config the architecture
   */
  public GeneratorNet(GeneratorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    for (int l = 0; l < config.depth(); l++) {
      List<ConvBnRelu> level = new ArrayList<>();
      for (int b = 0; b < config.blocksPerLevel(); b++) {
        level.add(addChildBlock("enc" + l + "_" + b, new ConvBnRelu(width(l))));
      }
      encoder.add(level);
    }
    for (int b = 0; b < config.blocksPerLevel(); b++) {
      bottom.add(addChildBlock("bottom_" + b, new ConvBnRelu(width(config.depth()))));
    }
    for (int l = config.depth() - 1; l >= config.outputLevel(); l--) {
      upConvs.add(addChildBlock("up" + l, new ConvBnRelu(width(l))));
      List<ConvBnRelu> level = new ArrayList<>();
      for (int b = 0; b < config.blocksPerLevel(); b++) {
        level.add(addChildBlock("dec" + l + "_" + b, new ConvBnRelu(width(l))));
      }
      decoder.add(level);
    }
    head = addChildBlock("head", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(1).optBias(true).build());
    if (config.conditional()) {
      // At every decoder level, not only the bottom: the skip connections carry class-agnostic
      // features straight to the decoder, and one bias at the bottom alone was measured to be too
      // weak a signal (the synthetic run collapsed to keeping nothing for every class).
      classEmbeddings.add(embedding("class_embedding", config.bottomWidth()));
      for (int l = config.depth() - 1; l >= config.outputLevel(); l--) {
        classEmbeddings.add(embedding("class_embedding_up" + l, width(l)));
      }
    }
  }

  private Parameter embedding(String name, int width) {
    return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(config.classes(), width)).optInitializer(new NormalInitializer(0.1f)).build());
  }

  private int width(int level) {
    return config.baseWidth() << level;
  }

  /** The architecture. */
  public GeneratorConfig config() {
    return config;
  }

  /** Encoder levels, shallowest first. */
  public List<List<ConvBnRelu>> encoder() {
    return Collections.unmodifiableList(encoder);
  }

  /** Blocks of the bottom level. */
  public List<ConvBnRelu> bottom() {
    return Collections.unmodifiableList(bottom);
  }

  /** The convolution after each upsampling, deepest decoder level first. */
  public List<ConvBnRelu> upConvs() {
    return Collections.unmodifiableList(upConvs);
  }

  /** Decoder levels (blocks after the skip concatenation), deepest first. */
  public List<List<ConvBnRelu>> decoder() {
    return Collections.unmodifiableList(decoder);
  }

  /**
   * The class embeddings, empty when unconditional: the bottom's {@code [classes, bottom width]},
   * then one per decoder level (deepest first), added after the level's upsampling convolution.
   */
  public List<Parameter> classEmbeddings() {
    return Collections.unmodifiableList(classEmbeddings);
  }

  /** The 1×1 output convolution (one logit per cell). */
  @Override
  public Conv2d head() {
    return head;
  }

  @Override
  public boolean conditional() {
    return config.conditional();
  }

  @Override
  public String architecture() {
    return "width=" + config.baseWidth() + " depth=" + config.depth() + " blocks=" + config.blocksPerLevel()
        + " outputLevel=" + config.outputLevel() + " smooth=" + config.smoothKernel()
        + (config.conditional() ? " classes=" + config.classes() : "");
  }

  @Override
  public int outputHeight(int inputHeight) {
    return config.outputSide(inputHeight);
  }

  @Override
  public int outputWidth(int inputWidth) {
    return config.outputSide(inputWidth);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(probabilities(logits(ps, inputs, training)));
  }

  @Override
  public NDArray logits(ParameterStore ps, NDList inputs, boolean training) {
    int expected = config.conditional() ? 2 : 1;
    if (inputs.size() != expected) {
      throw new IllegalArgumentException((expected == 1 ? "an unconditional" : "a class-conditional")
          + " generator takes " + expected + " input(s) (images" + (expected == 2 ? ", targets" : "") + "), got "
          + inputs.size());
    }
    return logits(ps, inputs.get(0), expected == 2 ? inputs.get(1) : null, training);
  }

  /**
   * The logits {@code [N,1,h,w]} before sigmoid and smoothing.
   *
   * @param targets classes to explain {@code [N]} (integer), null for an unconditional generator
   */
  public NDArray logits(ParameterStore ps, NDArray input, NDArray targets, boolean training) {
    NDArray x = input;
    List<NDArray> skips = new ArrayList<>();
    for (List<ConvBnRelu> level : encoder) {
      x = run(level, ps, x, training);
      skips.add(x);
      x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }
    x = run(bottom, ps, x, training);
    // One-hot × embedding rather than an indexed gather: plain matmul back-propagates on every engine.
    NDArray oneHot = config.conditional()
        ? targets.toType(DataType.INT64, false).oneHot(config.classes()).toType(DataType.FLOAT32, false) : null;
    x = addClass(ps, x, oneHot, 0, training);
    for (int i = 0; i < decoder.size(); i++) {
      int level = config.depth() - 1 - i;
      x = x.repeat(2, 2).repeat(3, 2);
      x = upConvs.get(i).forward(ps, new NDList(x), training).singletonOrThrow();
      x = addClass(ps, x, oneHot, i + 1, training);
      x = NDArrays.concat(new NDList(x, skips.get(level)), 1);
      x = run(decoder.get(i), ps, x, training);
    }
    return head.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  /** {@code x + embedding_e[target]} broadcast over the cells; {@code x} itself when unconditional. */
  private NDArray addClass(ParameterStore ps, NDArray x, NDArray oneHot, int e, boolean training) {
    if (oneHot == null) {
      return x;
    }
    NDArray rows = oneHot.matMul(ps.getValue(classEmbeddings.get(e), x.getDevice(), training));
    return x.add(rows.reshape(rows.getShape().get(0), rows.getShape().get(1), 1, 1));
  }

  /** Sigmoid then (if configured) the smoothing average pool. */
  @Override
  public NDArray probabilities(NDArray logits) {
    return probabilities(logits, config.smoothKernel());
  }

  /** Sigmoid then, when {@code k > 1}, a k×k average pool over the cells inside the map. */
  static NDArray probabilities(NDArray logits, int k) {
    NDArray p = ai.djl.nn.Activation.sigmoid(logits);
    if (k > 1) {
      // Mean over the window's cells inside the image (ONNX count_include_pad=0). Computed as a
      // ratio of two padded averages because DJL's PyTorch avgPool2d does not honour
      // countIncludePad=false (measured: border values differ from ONNX Runtime by up to 0.4).
      Shape kernel = new Shape(k, k);
      Shape stride = new Shape(1, 1);
      Shape pad = new Shape(k / 2, k / 2);
      NDArray sum = Pool.avgPool2d(p, kernel, stride, pad, false, true);
      NDArray count = Pool.avgPool2d(p.onesLike(), kernel, stride, pad, false, true);
      p = sum.div(count);
    }
    return p;
  }

  private static NDArray run(List<ConvBnRelu> blocks, ParameterStore ps, NDArray x, boolean training) {
    for (ConvBnRelu b : blocks) {
      x = b.forward(ps, new NDList(x), training).singletonOrThrow();
    }
    return x;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), 1, s.get(2) >> config.outputLevel(), s.get(3) >> config.outputLevel())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    long n = s.get(0);
    long h = s.get(2);
    long w = s.get(3);
    long c = s.get(1);
    List<long[]> skipShapes = new ArrayList<>();
    for (int l = 0; l < config.depth(); l++) {
      for (ConvBnRelu b : encoder.get(l)) {
        b.initialize(manager, dataType, new Shape(n, c, h, w));
        c = b.channels();
      }
      skipShapes.add(new long[] {c, h, w});
      h /= 2;
      w /= 2;
    }
    for (ConvBnRelu b : bottom) {
      b.initialize(manager, dataType, new Shape(n, c, h, w));
      c = b.channels();
    }
    for (int i = 0; i < decoder.size(); i++) {
      int level = config.depth() - 1 - i;
      h *= 2;
      w *= 2;
      upConvs.get(i).initialize(manager, dataType, new Shape(n, c, h, w));
      c = upConvs.get(i).channels() + skipShapes.get(level)[0];
      for (ConvBnRelu b : decoder.get(i)) {
        b.initialize(manager, dataType, new Shape(n, c, h, w));
        c = b.channels();
      }
    }
    head.initialize(manager, dataType, new Shape(n, c, h, w));
  }
}
