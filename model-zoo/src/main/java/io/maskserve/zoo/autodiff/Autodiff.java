package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.optimize.PadFolding;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Entry point: augments a classifier's ONNX model with its backward pass.
 *
 * <p>The returned model has the classifier's inputs plus {@code target} (int64 [N]) and its outputs
 * plus {@code input_grad} (d score[n, target[n]] / d input, shaped like the input) and, for every
 * requested layer {@code T}, {@code T} and {@code T_grad}.
 */
public final class Autodiff {
  /** Name of the added target input. */
  public static final String TARGET = "target";

  /** Name of the added input-gradient output. */
  public static final String INPUT_GRAD = "input_grad";

  /** Suffix of the added layer-gradient outputs. */
  public static final String GRAD_SUFFIX = "_grad";

  private Autodiff() {}

  /**
   * Builds the augmented model; throws {@link UnsupportedOpException} or IllegalArgumentException.
   *
   * <p>The forward part is the classifier's graph with its zero-padding Pads folded into the
   * convolutions they feed ({@link PadFolding}: the same values, and neither the Pad nor its
   * backward Slice left to run); every other tensor keeps its name, and so do the layers asked for.
   */
  public static ModelProto augment(ModelProto classifier, AutodiffOptions options) {
    return augment(classifier, options, true, Set.of());
  }

  /** As {@link #augment(ModelProto, AutodiffOptions, boolean, Collection)} keeping no extra tensor. */
  static ModelProto augment(ModelProto classifier, AutodiffOptions options, boolean foldShapes) {
    return augment(classifier, options, foldShapes, Set.of());
  }

  /**
   * As {@link #augment(ModelProto, AutodiffOptions)}; {@code foldShapes} false keeps every backward
   * shape computation in-graph (the fully dynamic form, for tests comparing both); the tensors named
   * in {@code keep} survive Pad folding as the layers do.
   */
  static ModelProto augment(ModelProto classifier, AutodiffOptions options, boolean foldShapes,
      Collection<String> keep) {
    Set<String> survive = new HashSet<>(keep);
    survive.addAll(options.layers());
    ModelProto folded = PadFolding.fold(classifier, survive).model();
    return new GradientGraphBuilder(folded).build(options, foldShapes);
  }

  /** Checks that every op on the input's gradient path has a rule, without building anything. */
  public static void check(ModelProto classifier) {
    new GradientGraphBuilder(classifier).check();
  }

  /** The op types autodiff knows (differentiable, or carrying no gradient). */
  public static Set<String> supportedOps() {
    return VjpRules.supportedOps();
  }
}
