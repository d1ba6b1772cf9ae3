package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;

/** One node's backward computation: its forward tensors, its output gradients, and where input gradients go. */
final class BackwardStep {
  final NodeProto node;
  final GradEmitter e;
  private final String[] gradOut;
  private final boolean[] wanted;
  private final String[] gradIn;

  BackwardStep(NodeProto node, GradEmitter e, String[] gradOut, boolean[] wanted) {
    this.node = node;
    this.e = e;
    this.gradOut = gradOut;
    this.wanted = wanted;
    this.gradIn = new String[node.getInputCount()];
  }

  /** Forward input {@code i}. */
  String in(int i) {
    return node.getInput(i);
  }

  /** Whether input {@code i} is present (optional inputs may be absent or empty). */
  boolean hasIn(int i) {
    return i < node.getInputCount() && !node.getInput(i).isEmpty();
  }

  /** Forward output {@code o}. */
  String out(int o) {
    return node.getOutput(o);
  }

  int outputs() {
    return node.getOutputCount();
  }

  /** Gradient of output {@code o}, or null when it has none. */
  String gradOut(int o) {
    return o < gradOut.length ? gradOut[o] : null;
  }

  /** Gradient of output 0 (always present when a rule is called for single-output ops). */
  String g() {
    return gradOut[0];
  }

  /** Whether the gradient of input {@code i} is needed. */
  boolean wanted(int i) {
    return i < wanted.length && wanted[i];
  }

  void setGrad(int i, String grad) {
    gradIn[i] = grad;
  }

  String[] gradIn() {
    return gradIn;
  }
}
