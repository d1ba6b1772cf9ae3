package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Ops that move elements without changing them: reshapes, transposes, concatenation, slicing, padding, gathering. */
final class ShapeRules {
  private ShapeRules() {}

  static void register(Map<String, VjpRule> r) {
    VjpRule reshapeBack = new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) {
        s.setGrad(0, s.e.reshapeLike(s.g(), s.in(0)));
      }
    };
    for (String op : List.of("Reshape", "Flatten", "Squeeze", "Unsqueeze")) {
      r.put(op, reshapeBack);
    }
    r.put("Expand", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) {
        s.setGrad(0, s.e.unbroadcast(s.g(), s.in(0), null));
      }
    });
    r.put("Transpose", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) {
        long[] perm = Attrs.ints(s.node, "perm");
        if (perm == null) {
          s.setGrad(0, s.e.node("Transpose", s.g())); // reversing twice is the identity
          return;
        }
        long[] inv = new long[perm.length];
        for (int k = 0; k < perm.length; k++) {
          inv[(int) perm[k]] = k;
        }
        s.setGrad(0, s.e.node("Transpose", s.g(), Attrs.intsAttr("perm", inv)));
      }
    });
    r.put("Concat", new ConcatRule());
    r.put("Split", new SplitRule());
    r.put("Slice", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) { // slice the element indices the same way, scatter back
        GradEmitter e = s.e;
        List<String> ins = new ArrayList<>(s.node.getInputList());
        ins.set(0, e.iota(s.in(0)));
        String idx = e.node("Slice", ins);
        s.setGrad(0, e.scatterToFlat(s.g(), idx, s.in(0), false));
      }
    });
    r.put("Gather", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) { // gather the element indices, scatter-add back (indices may repeat)
        GradEmitter e = s.e;
        String idx = e.node("Gather", List.of(e.iota(s.in(0)), s.in(1)), Attrs.intAttr("axis", Attrs.i(s.node, "axis", 0)));
        s.setGrad(0, e.scatterToFlat(s.g(), idx, s.in(0), true));
      }
    });
    r.put("Pad", new PadRule());
  }

  /** Concat: split the gradient at the inputs' sizes along the axis. */
  static final class ConcatRule implements VjpRule {
    @Override
    public boolean differentiableInput(NodeProto node, int i) {
      return true;
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      long axis = Attrs.i(s.node, "axis", 0);
      int n = s.node.getInputCount();
      if (n == 1) {
        s.setGrad(0, s.g());
        return;
      }
      List<String> sizes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sizes.add(e.node("Gather", List.of(e.shape(s.in(i)), e.ints(axis)), Attrs.intAttr("axis", 0)));
      }
      String split = e.node("Concat", sizes, Attrs.intAttr("axis", 0));
      List<String> parts = e.nodeN("Split", List.of(s.g(), split), n, Attrs.intAttr("axis", axis));
      for (int i = 0; i < n; i++) {
        if (s.wanted(i)) {
          s.setGrad(i, parts.get(i));
        }
      }
    }
  }

  /** Split: concatenate the output gradients (zeros for outputs without one). */
  static final class SplitRule extends ElementwiseRules.Unary {
    @Override
    public boolean differentiableOutput(NodeProto node, int o) {
      return true;
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      String any = null;
      for (int o = 0; o < s.outputs(); o++) {
        if (s.gradOut(o) != null) {
          any = s.gradOut(o);
        }
      }
      List<String> parts = new ArrayList<>();
      for (int o = 0; o < s.outputs(); o++) {
        parts.add(s.gradOut(o) != null ? s.gradOut(o) : e.zerosLike(s.out(o), any));
      }
      s.setGrad(0, e.node("Concat", parts, Attrs.intAttr("axis", Attrs.i(s.node, "axis", 0))));
    }
  }

  /** Pad (constant mode): the gradient is the un-padded window of the output gradient. */
  static final class PadRule extends ElementwiseRules.Unary {
    @Override
    public void check(NodeProto node) {
      String mode = Attrs.s(node, "mode", "constant");
      if (!mode.equals("constant")) {
        throw VjpRule.unsupported(node, "mode=" + mode + " (only constant padding)");
      }
      if (Attrs.find(node, "pads") != null) {
        throw VjpRule.unsupported(node, "pads attribute (opset < 11); export with opset 13 or later");
      }
      if (node.getInputCount() > 3 && !node.getInput(3).isEmpty()) {
        throw VjpRule.unsupported(node, "the axes input (opset 18)");
      }
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      String begins = e.node("Gather", List.of(e.node("Reshape", s.in(1), e.ints(2, -1)), e.intScalar(0)),
          Attrs.intAttr("axis", 0));
      String ends = e.node("Add", begins, e.shape(s.in(0)));
      s.setGrad(0, e.node("Slice", List.of(s.g(), begins, ends)));
    }
  }
}
