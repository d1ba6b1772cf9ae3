package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;

/**
 * The vector-Jacobian product of one op type, emitted as ONNX nodes. Only gradients w.r.t. inputs
 * that depend on the model input are asked for (never weight gradients).
 */
interface VjpRule {

  /** Whether a gradient can flow into input {@code i}; an input that depends on the model input but is not differentiable is an error. */
  boolean differentiableInput(NodeProto node, int i);

  /** Whether output {@code o} carries a gradient (e.g. not MaxPool's indices, not a Cast to int). */
  default boolean differentiableOutput(NodeProto node, int o) {
    return o == 0;
  }

  /** Throws {@link UnsupportedOpException} for configurations the rule does not handle. */
  default void check(NodeProto node) {}

  /** Emits the backward nodes: reads {@link BackwardStep#gradOut}, sets {@link BackwardStep#setGrad} for every wanted input. */
  void backward(BackwardStep step);

  /** Throws UnsupportedOpException for the node with this detail. */
  static UnsupportedOpException unsupported(NodeProto node, String detail) {
    return new UnsupportedOpException(node.getOpType(), Attrs.nodeName(node), detail);
  }
}
