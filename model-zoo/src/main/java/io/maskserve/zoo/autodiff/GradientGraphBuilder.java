package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation of one classifier graph. First a forward pass marks the tensors that
 * depend on the model input through differentiable edges ("active"), checking every node on those
 * paths has a rule; then the nodes are visited in reverse topological order, and every node with an
 * output gradient emits its vector-Jacobian product for its active inputs. Contributions to a tensor
 * used several times are summed once its producer is reached (all consumers come later in the
 * forward order). Nodes off the path from the input to the score emit nothing.
 */
final class GradientGraphBuilder {
  static final long MIN_OPSET = 13;
  static final long MAX_OPSET = 18;
  static final long TARGET_OPSET = 17;

  private final ModelProto model;
  private final GraphProto graph;
  private final String input;
  private final long opset;
  private final Set<String> active = new HashSet<>();
  private boolean analysed;

  GradientGraphBuilder(ModelProto model) {
    this.model = model;
    if (!model.hasGraph()) {
      throw new IllegalArgumentException("the model has no graph");
    }
    this.graph = model.getGraph();
    long v = -1;
    for (OperatorSetIdProto op : model.getOpsetImportList()) {
      if (op.getDomain().isEmpty() || op.getDomain().equals("ai.onnx")) {
        v = op.getVersion();
      }
    }
    if (v < MIN_OPSET || v > MAX_OPSET) {
      throw new IllegalArgumentException("autodiff needs a model of ONNX opset " + MIN_OPSET + " to " + MAX_OPSET
          + " (default domain), got " + (v < 0 ? "none" : v));
    }
    this.opset = v;
    String in = differentiatedInput(graph);
    if (in == null) {
      throw new IllegalArgumentException("the model has no input");
    }
    if (graph.getOutputCount() == 0) {
      throw new IllegalArgumentException("the model has no output");
    }
    this.input = in;
  }

  /**
   * The input that gradients are taken with respect to: the graph's first input that is not an
   * initializer (older exporters list weights as inputs too), or null if there is none.
   */
  static String differentiatedInput(GraphProto graph) {
    Set<String> inits = new HashSet<>();
    for (TensorProto t : graph.getInitializerList()) {
      inits.add(t.getName());
    }
    for (ValueInfoProto vi : graph.getInputList()) {
      if (!inits.contains(vi.getName())) {
        return vi.getName();
      }
    }
    return null;
  }

  /**
   * Marks active tensors and checks the rules; throws UnsupportedOpException, or
   * IllegalArgumentException when the names autodiff adds are taken.
   */
  void check() {
    if (analysed) {
      return;
    }
    Set<String> reserved = Set.of(Autodiff.TARGET, Autodiff.INPUT_GRAD);
    for (ValueInfoProto vi : graph.getInputList()) {
      if (reserved.contains(vi.getName())) {
        throw new IllegalArgumentException("the model already has an input named '" + vi.getName() + "'");
      }
    }
    for (NodeProto n : graph.getNodeList()) {
      for (String o : n.getOutputList()) {
        if (reserved.contains(o)) {
          throw new IllegalArgumentException("the model already has a tensor named '" + o + "'");
        }
      }
    }
    active.add(input);
    for (NodeProto node : graph.getNodeList()) {
      boolean any = false;
      for (String i : node.getInputList()) {
        any |= active.contains(i);
      }
      if (!any) {
        continue;
      }
      VjpRule rule = VjpRules.get(node);
      if (rule == null) {
        throw new UnsupportedOpException(node.getOpType(), Attrs.nodeName(node),
            (node.getDomain().isEmpty() ? "" : "domain '" + node.getDomain() + "', ")
                + "no gradient rule; supported ops: " + String.join(", ", VjpRules.supportedOps()));
      }
      rule.check(node);
      boolean anyOut = false;
      for (int o = 0; o < node.getOutputCount(); o++) {
        anyOut |= rule.differentiableOutput(node, o);
      }
      boolean flows = false;
      for (int i = 0; i < node.getInputCount(); i++) {
        if (!active.contains(node.getInput(i))) {
          continue;
        }
        if (rule.differentiableInput(node, i)) {
          flows = true;
        } else if (anyOut) {
          throw new UnsupportedOpException(node.getOpType(), Attrs.nodeName(node), "input " + i + " ('"
              + node.getInput(i) + "') depends on the model input, but gradients w.r.t. it are not supported");
        }
      }
      if (flows) {
        for (int o = 0; o < node.getOutputCount(); o++) {
          if (!node.getOutput(o).isEmpty() && rule.differentiableOutput(node, o)) {
            active.add(node.getOutput(o));
          }
        }
      }
    }
    analysed = true;
  }

  ModelProto build(AutodiffOptions options, boolean foldShapes) {
    check();
    Set<String> taken = new HashSet<>();
    Map<String, TensorProto> constants = new HashMap<>();
    Set<String> produced = new HashSet<>();
    for (ValueInfoProto vi : graph.getInputList()) {
      taken.add(vi.getName());
    }
    for (ValueInfoProto vi : graph.getOutputList()) {
      taken.add(vi.getName());
    }
    for (TensorProto t : graph.getInitializerList()) {
      taken.add(t.getName());
      constants.put(t.getName(), t);
    }
    for (NodeProto n : graph.getNodeList()) {
      taken.addAll(n.getOutputList());
      produced.addAll(n.getOutputList());
      taken.add(n.getName());
      if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
        AttributeProto value = Attrs.find(n, "value");
        if (value != null && value.hasT()) {
          constants.put(n.getOutput(0), value.getT());
        }
      }
    }
    Set<String> outputs = new HashSet<>();
    for (ValueInfoProto vi : graph.getOutputList()) {
      outputs.add(vi.getName());
    }
    List<String> newNames = new ArrayList<>(List.of(Autodiff.TARGET, Autodiff.INPUT_GRAD));
    for (String layer : options.layers()) {
      if (!produced.contains(layer) && !layer.equals(input)) {
        throw new IllegalArgumentException("layer '" + layer + "' is not a tensor of the graph");
      }
      newNames.add(layer + Autodiff.GRAD_SUFFIX);
    }
    for (String n : newNames) {
      if (taken.contains(n)) {
        throw new IllegalArgumentException("the model already has a tensor named '" + n + "'");
      }
    }
    taken.addAll(newNames);

    ValueInfoProto inputInfo = null;
    for (ValueInfoProto vi : graph.getInputList()) {
      if (vi.getName().equals(input)) {
        inputInfo = vi;
      }
    }
    int elemType = inputInfo.getType().getTensorType().getElemType();
    if (elemType != TensorProto.DataType.FLOAT.getNumber() && elemType != TensorProto.DataType.DOUBLE.getNumber()) {
      throw new IllegalArgumentException("input '" + input + "' must be float32 or float64");
    }
    StaticShapes statics = foldShapes ? StaticShapes.probe(model, input) : StaticShapes.none();
    GradEmitter e = new GradEmitter(taken, constants, elemType, RankInference.ranks(graph, constants), statics);
    String logits = graph.getOutput(0).getName();
    if (!active.contains(logits)) {
      throw new IllegalArgumentException("output '" + logits + "' does not depend on input '" + input + "'");
    }
    Map<String, List<String>> contributions = new LinkedHashMap<>();
    contributions.computeIfAbsent(logits, k -> new ArrayList<>()).add(seed(e, logits, options.score()));

    Map<String, String> finals = new HashMap<>();
    List<NodeProto> nodes = graph.getNodeList();
    for (int k = nodes.size() - 1; k >= 0; k--) {
      NodeProto node = nodes.get(k);
      String[] gy = new String[node.getOutputCount()];
      boolean any = false;
      for (int o = 0; o < gy.length; o++) {
        gy[o] = finish(e, node.getOutput(o), contributions, finals);
        any |= gy[o] != null;
      }
      if (!any) {
        continue;
      }
      VjpRule rule = VjpRules.get(node);
      boolean[] wanted = new boolean[node.getInputCount()];
      boolean anyWanted = false;
      for (int i = 0; i < wanted.length; i++) {
        wanted[i] = active.contains(node.getInput(i)) && rule.differentiableInput(node, i);
        anyWanted |= wanted[i];
      }
      if (!anyWanted) {
        continue;
      }
      BackwardStep step = new BackwardStep(node, e, gy, wanted);
      rule.backward(step);
      String[] gx = step.gradIn();
      for (int i = 0; i < wanted.length; i++) {
        if (!wanted[i]) {
          continue;
        }
        if (gx[i] == null) {
          throw new IllegalStateException("rule of " + node.getOpType() + " gave no gradient for input " + i);
        }
        contributions.computeIfAbsent(node.getInput(i), x -> new ArrayList<>()).add(gx[i]);
      }
    }
    for (String t : new ArrayList<>(contributions.keySet())) {
      finish(e, t, contributions, finals);
    }

    GraphProto.Builder g = graph.toBuilder();
    TensorShapeProto logitsShape = graph.getOutput(0).getType().getTensorType().getShape();
    TensorShapeProto.Dimension batch = logitsShape.getDimCount() > 0 && (logitsShape.getDim(0).hasDimValue()
        || logitsShape.getDim(0).hasDimParam())
        ? logitsShape.getDim(0)
        : TensorShapeProto.Dimension.newBuilder().setDimParam("N").build();
    g.addInput(ValueInfoProto.newBuilder().setName(Autodiff.TARGET).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.INT64.getNumber())
            .setShape(TensorShapeProto.newBuilder().addDim(batch)))));

    e.nodeTo("Identity", List.of(gradOrZeros(e, input, finals)), List.of(Autodiff.INPUT_GRAD));
    g.addOutput(inputInfo.toBuilder().setName(Autodiff.INPUT_GRAD));
    for (String layer : options.layers()) {
      if (!outputs.contains(layer)) {
        g.addOutput(untypedShape(layer, elemType));
        outputs.add(layer);
      }
      e.nodeTo("Identity", List.of(gradOrZeros(e, layer, finals)), List.of(layer + Autodiff.GRAD_SUFFIX));
      g.addOutput(untypedShape(layer + Autodiff.GRAD_SUFFIX, elemType));
    }
    g.addAllInitializer(e.initializers());
    g.addAllNode(e.nodes());

    ModelProto.Builder m = model.toBuilder().setGraph(g);
    m.clearOpsetImport();
    for (OperatorSetIdProto op : model.getOpsetImportList()) {
      if (op.getDomain().isEmpty() || op.getDomain().equals("ai.onnx")) {
        m.addOpsetImport(op.toBuilder().setVersion(Math.max(opset, TARGET_OPSET)));
      } else {
        m.addOpsetImport(op);
      }
    }
    m.setIrVersion(Math.max(model.getIrVersion(), 8));
    return m.build();
  }

  /** The gradient of the score w.r.t. the logits: one-hot(target), minus softmax for log-softmax. */
  private static String seed(GradEmitter e, String logits, AutodiffOptions.Score score) {
    StaticShapes.Dims d = e.dims(logits);
    String range;
    if (d != null && d.rank() == 2 && !d.perN()[1]) {
      long[] classes = new long[(int) d.dims()[1]];
      for (int k = 0; k < classes.length; k++) {
        classes[k] = k;
      }
      range = e.ints(classes);
    } else {
      String classes = e.node("Gather", List.of(e.shape(logits), e.intScalar(1)), Attrs.intAttr("axis", 0));
      range = e.node("Range", List.of(e.intScalar(0), classes, e.intScalar(1)));
    }
    String target = e.node("Unsqueeze", Autodiff.TARGET, e.ints(1));
    String onehot = e.cast(e.node("Equal", target, range));
    if (score == AutodiffOptions.Score.LOGIT) {
      return onehot;
    }
    return e.node("Sub", onehot, e.node("Softmax", logits, Attrs.intAttr("axis", 1)));
  }

  /** Sums the contributions to {@code t} once (null when it has none). */
  private static String finish(GradEmitter e, String t, Map<String, List<String>> contributions, Map<String, String> finals) {
    if (finals.containsKey(t)) {
      return finals.get(t);
    }
    List<String> c = contributions.remove(t);
    if (c == null || c.isEmpty()) {
      return null;
    }
    String sum = c.size() == 1 ? c.get(0) : e.node("Sum", c);
    finals.put(t, sum);
    return sum;
  }

  private String gradOrZeros(GradEmitter e, String t, Map<String, String> finals) {
    String g = finals.get(t);
    return g != null ? g : e.zerosLike(t, t);
  }

  private static ValueInfoProto untypedShape(String name, int elemType) {
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType))).build();
  }
}
