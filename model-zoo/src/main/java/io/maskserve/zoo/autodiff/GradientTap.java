package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The classifier's gradient × input as a tensor of its own forward pass, so a generator can read
 * it like any intermediate tensor (see {@code FeatureTaps}).
 *
 * <p>{@value #GRAD_X_INPUT} is {@code Σ_c x[c]·∂logit[top-1]/∂x[c]}, {@code [N,1,H,W]}: the
 * first-order change of the top-1 logit when a pixel is moved to 0 in normalised space (the
 * dataset mean, where maskserve's masks and the deletion metric put removed pixels). The graph is
 * {@link Autodiff#augment} with the logit as score and the {@code target} input replaced by the
 * arg-max of the logits, so one run needs nothing but the image; its outputs are the classifier's
 * own (the logits stay output 0) and nothing else: callers expose the tap with {@code
 * FeatureTaps.withOutputs}. A run costs a forward and a backward pass (BENCHMARKS.md, issue 3:
 * 2.2–2.5× the forward for ResNet-20).
 */
public final class GradientTap {

  /** Name of the tensor. */
  public static final String GRAD_X_INPUT = "maskserve.grad_x_input";

  /**
   * The cell sizes of the pooled variants, {@code GRAD_X_INPUT + ".pool" + k}: the tensor averaged
   * over {@code k×k} cells, {@code [N,1,H/k,W/k]}, for generators whose finest grid is coarser than
   * the input (a decoder at 224×224 would cost more than the classifier).
   */
  public static final List<Integer> POOLS = List.of(2, 4, 8, 16, 32);

  private static final String POOL_PREFIX = GRAD_X_INPUT + ".pool";

  private GradientTap() {}

  /** Name of the variant averaged over {@code k×k} cells ({@code k} one of {@link #POOLS}). */
  public static String pooled(int k) {
    if (!POOLS.contains(k)) {
      throw new IllegalArgumentException("the gradient tap is pooled over one of " + POOLS + " pixels, not " + k);
    }
    return POOL_PREFIX + k;
  }

  /** Every tensor name this class provides: {@value #GRAD_X_INPUT} and its pooled variants. */
  public static List<String> names() {
    List<String> out = new ArrayList<>();
    out.add(GRAD_X_INPUT);
    POOLS.forEach(k -> out.add(pooled(k)));
    return out;
  }

  /** Whether any of {@code tensors} is one of this class's, so reading them takes a backward pass. */
  public static boolean anyIn(Collection<String> tensors) {
    return tensors.stream().anyMatch(names()::contains);
  }

  /**
   * {@code classifier} with the {@value #GRAD_X_INPUT} tensor and every pooled variant in {@code
   * names} computed (none exposed as an output); names that are not this class's are kept through
   * the Pad folding {@link Autodiff#augment} does (they are the other tensors a generator reads).
   *
   * @throws UnsupportedOpException when an op on the input's gradient path has no rule
   * @throws IllegalArgumentException when the classifier is not a single-input image classifier or
   *     already has a tensor of one of these names
   */
  public static ModelProto withGradXInput(ModelProto classifier, Collection<String> names) {
    ModelProto m = gradXInput(classifier, names);
    GraphProto.Builder g = m.getGraph().toBuilder();
    for (int k : POOLS) {
      if (names.contains(pooled(k))) {
        // Floors like the classifier's own pooling when k does not divide the input.
        g.addNode(NodeProto.newBuilder().setOpType("AveragePool").setName(pooled(k)).addInput(GRAD_X_INPUT)
            .addOutput(pooled(k)).addAttribute(Attrs.intsAttr("kernel_shape", k, k))
            .addAttribute(Attrs.intsAttr("strides", k, k)));
      }
    }
    return m.toBuilder().setGraph(g).build();
  }

  /**
   * {@code classifier} with the {@value #GRAD_X_INPUT} tensor computed (not exposed as an output).
   *
   * @throws UnsupportedOpException when an op on the input's gradient path has no rule
   * @throws IllegalArgumentException when the classifier is not a single-input image classifier or
   *     already has a tensor of that name
   */
  public static ModelProto withGradXInput(ModelProto classifier) {
    return gradXInput(classifier, List.of());
  }

  private static ModelProto gradXInput(ModelProto classifier, Collection<String> keep) {
    Objects.requireNonNull(classifier, "classifier");
    GraphProto original = classifier.getGraph();
    if (original.getOutputCount() < 1) {
      throw new IllegalArgumentException("the classifier has no output");
    }
    for (NodeProto n : original.getNodeList()) {
      for (String name : names()) {
        if (n.getOutputList().contains(name)) {
          throw new IllegalArgumentException("the classifier already has a tensor named '" + name + "'");
        }
      }
    }
    ModelProto augmented =
        Autodiff.augment(classifier, new AutodiffOptions(AutodiffOptions.Score.LOGIT, List.of()), true, keep);
    GraphProto graph = augmented.getGraph();
    String logits = original.getOutput(0).getName();
    // The input autodiff differentiated (augment adds target after it).
    String image = GradientGraphBuilder.differentiatedInput(original);
    GraphProto.Builder g = graph.toBuilder().clearInput().clearOutput().clearNode();
    for (ValueInfoProto in : graph.getInputList()) {
      if (!in.getName().equals(Autodiff.TARGET)) {
        g.addInput(in);
      }
    }
    g.addAllOutput(original.getOutputList());
    // The target is the prediction: ArgMax keeps the first maximum, as the server's top-1 does.
    // Nodes must stay in topological order, so it goes right after the node writing the logits.
    NodeProto argMax = NodeProto.newBuilder().setOpType("ArgMax").setName("maskserve.top1").addInput(logits)
        .addOutput(Autodiff.TARGET)
        .addAttribute(Attrs.intAttr("axis", 1)).addAttribute(Attrs.intAttr("keepdims", 0)).build();
    boolean placed = false;
    for (NodeProto n : graph.getNodeList()) {
      g.addNode(n);
      if (!placed && n.getOutputList().contains(logits)) {
        g.addNode(argMax);
        placed = true;
      }
    }
    if (!placed) {
      throw new IllegalArgumentException("no node of the classifier computes its output '" + logits + "'");
    }
    String product = GRAD_X_INPUT + ".product";
    String axes = GRAD_X_INPUT + ".axes";
    g.addInitializer(TensorProto.newBuilder().setName(axes).setDataType(TensorProto.DataType.INT64.getNumber())
        .addDims(1).addInt64Data(1));
    g.addNode(NodeProto.newBuilder().setOpType("Mul").setName(product).addInput(image).addInput(Autodiff.INPUT_GRAD)
        .addOutput(product));
    // Opset >= 13 (the augmented model's): ReduceSum takes its axes as an input.
    g.addNode(NodeProto.newBuilder().setOpType("ReduceSum").setName(GRAD_X_INPUT).addInput(product).addInput(axes)
        .addOutput(GRAD_X_INPUT).addAttribute(Attrs.intAttr("keepdims", 1)));
    return augmented.toBuilder().setGraph(g).build();
  }
}
