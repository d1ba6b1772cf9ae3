package io.maskserve.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The synthetic-scene classifier, see {@link ClassifierConfig}. Input normalised images {@code
 * [N,3,H,W]}, output logits {@code [N,C]}. H and W must be divisible by {@code 2^(stages-1)}.
 */
public final class ClassifierNet extends AbstractBlock {

  private final ClassifierConfig config;
  private final List<ConvBnRelu> stages = new ArrayList<>();
  private final Linear head;

  /**
   * @param config the architecture
   */
  public ClassifierNet(ClassifierConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    for (int i = 0; i < config.stages(); i++) {
      stages.add(addChildBlock("stage" + i, new ConvBnRelu(config.baseWidth() << Math.min(i, 3))));
    }
    head = addChildBlock("head", Linear.builder().setUnits(config.numClasses()).build());
  }

  /** The architecture. */
  public ClassifierConfig config() {
    return config;
  }

  /** The conv stages in order. */
  public List<ConvBnRelu> stages() {
    return Collections.unmodifiableList(stages);
  }

  /** The final linear layer (weight {@code [C, channels]}). */
  public Linear head() {
    return head;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    for (int i = 0; i < stages.size(); i++) {
      x = stages.get(i).forward(ps, new NDList(x), training).singletonOrThrow();
      if (i < stages.size() - 1) {
        x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
      }
    }
    x = x.mean(new int[] {3}).mean(new int[] {2});
    return head.forward(ps, new NDList(x), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), config.numClasses())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    for (int i = 0; i < stages.size(); i++) {
      stages.get(i).initialize(manager, dataType, s);
      s = stages.get(i).getOutputShapes(new Shape[] {s})[0];
      if (i < stages.size() - 1) {
        s = new Shape(s.get(0), s.get(1), s.get(2) / 2, s.get(3) / 2);
      }
    }
    head.initialize(manager, dataType, new Shape(s.get(0), s.get(1)));
  }
}
