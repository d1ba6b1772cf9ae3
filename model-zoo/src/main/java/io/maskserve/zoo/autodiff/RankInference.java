package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Static ranks of the forward tensors where they follow from the op alone (no shape inference):
 * lets rules skip the in-graph rank arithmetic when both sides' ranks are known. Unknown ranks are
 * absent; rules then fall back to fully dynamic nodes.
 */
final class RankInference {
  private static final Set<String> SAME_RANK = Set.of("Relu", "Clip", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish",
      "LeakyRelu", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Identity", "Dropout", "Cast", "Softmax",
      "LogSoftmax", "BatchNormalization", "LayerNormalization", "Conv", "ConvTranspose", "MaxPool", "AveragePool",
      "GlobalAveragePool", "GlobalMaxPool", "Transpose", "Slice", "Pad", "Concat", "Split", "Sign", "Floor", "Ceil",
      "Round", "Abs", "CastLike");
  private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Where", "Sum", "Max", "Min",
      "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Not");

  private RankInference() {}

  static Map<String, Integer> ranks(GraphProto graph, Map<String, TensorProto> constants) {
    Map<String, Integer> r = new HashMap<>();
    for (ValueInfoProto vi : graph.getInputList()) {
      if (vi.getType().getTensorType().hasShape()) {
        r.put(vi.getName(), vi.getType().getTensorType().getShape().getDimCount());
      }
    }
    for (Map.Entry<String, TensorProto> c : constants.entrySet()) {
      r.put(c.getKey(), c.getValue().getDimsCount());
    }
    for (NodeProto n : graph.getNodeList()) {
      Integer out = infer(n, r, constants);
      if (out != null) {
        for (int o = 0; o < n.getOutputCount(); o++) {
          if (!n.getOutput(o).isEmpty()) {
            r.putIfAbsent(n.getOutput(o), out);
          }
        }
      }
    }
    return r;
  }

  private static Integer infer(NodeProto n, Map<String, Integer> r, Map<String, TensorProto> constants) {
    String op = n.getOpType();
    Integer r0 = n.getInputCount() > 0 ? r.get(n.getInput(0)) : null;
    if (SAME_RANK.contains(op)) {
      return r0;
    }
    if (BROADCAST.contains(op)) {
      int max = 0;
      for (String in : n.getInputList()) {
        Integer ri = r.get(in);
        if (ri == null) {
          return null;
        }
        max = Math.max(max, ri);
      }
      return max;
    }
    switch (op) {
      case "Gemm", "Flatten":
        return 2;
      case "Shape":
        return 1;
      case "Size":
        return 0;
      case "MatMul": {
        Integer r1 = r.get(n.getInput(1));
        return r0 == null || r1 == null || r0 < 2 || r1 < 2 ? null : Math.max(r0, r1);
      }
      case "Reshape": {
        TensorProto shape = constants.get(n.getInput(1));
        return shape == null || shape.getDimsCount() != 1 ? null : (int) shape.getDims(0);
      }
      case "Unsqueeze", "Squeeze": {
        long[] axes = axes(n, constants);
        if (r0 == null || axes == null) {
          return null;
        }
        return op.equals("Unsqueeze") ? r0 + axes.length : r0 - axes.length;
      }
      case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd": {
        if (r0 == null) {
          return null;
        }
        if (Attrs.i(n, "keepdims", 1) == 1) {
          return r0;
        }
        long[] axes = axes(n, constants);
        boolean axesInput = n.getInputCount() > 1 && !n.getInput(1).isEmpty();
        if (axes == null) {
          return axesInput ? null : 0;
        }
        return r0 - axes.length;
      }
      case "Gather": {
        Integer ri = r.get(n.getInput(1));
        return r0 == null || ri == null ? null : r0 - 1 + ri;
      }
      default:
        return null;
    }
  }

  /** The axes attribute, or the constant axes input; null when absent or not constant. */
  private static long[] axes(NodeProto n, Map<String, TensorProto> constants) {
    AttributeProto a = Attrs.find(n, "axes");
    if (a != null) {
      return Attrs.ints(n, "axes");
    }
    if (n.getInputCount() < 2 || n.getInput(1).isEmpty()) {
      return null;
    }
    TensorProto t = constants.get(n.getInput(1));
    if (t == null || t.getDataType() != TensorProto.DataType.INT64.getNumber()) {
      return null;
    }
    if (!t.getRawData().isEmpty()) {
      return new long[t.getRawData().size() / 8];
    }
    return new long[t.getInt64DataCount()];
  }
}
