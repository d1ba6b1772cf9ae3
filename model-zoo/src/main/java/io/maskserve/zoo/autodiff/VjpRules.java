package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The registry of vector-Jacobian rules by op type (default ONNX domain). */
final class VjpRules {
  private static final Map<String, VjpRule> RULES;

  /** Ops whose outputs never carry a gradient (shape arithmetic, comparisons, integer results). */
  static final List<String> NON_DIFFERENTIABLE = List.of("Shape", "Size", "Constant", "ConstantOfShape", "Equal",
      "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "Not", "And", "Or", "Xor", "NonZero", "Range", "ArgMax",
      "ArgMin", "Floor", "Ceil", "Round", "Sign", "OneHot", "EyeLike", "RandomNormalLike", "RandomUniformLike",
      "IsNaN", "IsInf");

  static {
    Map<String, VjpRule> r = new HashMap<>();
    VjpRule none = new VjpRule() {
      @Override
      public boolean differentiableInput(NodeProto node, int i) {
        return false;
      }

      @Override
      public boolean differentiableOutput(NodeProto node, int o) {
        return false;
      }

      @Override
      public void backward(BackwardStep step) {}
    };
    for (String op : NON_DIFFERENTIABLE) {
      r.put(op, none);
    }
    ElementwiseRules.register(r);
    BinaryRules.register(r);
    LinearRules.register(r);
    r.put("Conv", new ConvRule());
    PoolRules.register(r);
    ShapeRules.register(r);
    NormRules.register(r);
    RULES = Collections.unmodifiableMap(r);
  }

  private VjpRules() {}

  /** The rule of a default-domain op, or null. */
  static VjpRule get(NodeProto node) {
    if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
      return null;
    }
    return RULES.get(node.getOpType());
  }

  /** Every op type with a rule (differentiable or explicitly gradient-free). */
  static Set<String> supportedOps() {
    return Collections.unmodifiableSet(new TreeSet<>(RULES.keySet()));
  }
}
