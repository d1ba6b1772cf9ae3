package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.List;
import java.util.Map;

/** Rules of unary element-wise ops: activations and simple math. */
final class ElementwiseRules {
  private ElementwiseRules() {}

  /** A rule whose only differentiable input is input 0. */
  abstract static class Unary implements VjpRule {
    @Override
    public boolean differentiableInput(NodeProto node, int i) {
      return i == 0;
    }
  }

  static void register(Map<String, VjpRule> r) {
    VjpRule passThrough = new Unary() {
      @Override
      public void backward(BackwardStep s) {
        s.setGrad(0, s.g());
      }
    };
    r.put("Identity", passThrough);
    r.put("Dropout", passThrough); // inference: output 0 = input; the mask output carries no gradient
    r.put("Cast", new CastRule());
    r.put("Relu", new Unary() {
      @Override
      public void backward(BackwardStep s) { // g where y > 0
        GradEmitter e = s.e;
        s.setGrad(0, e.maskGrad(s.g(), e.node("Greater", s.out(0), e.scalarLike(0, s.out(0)))));
      }
    });
    r.put("Clip", new ClipRule());
    r.put("Sigmoid", new Unary() {
      @Override
      public void backward(BackwardStep s) { // g * y * (1 - y)
        GradEmitter e = s.e;
        String y = s.out(0);
        String d = e.node("Mul", y, e.node("Sub", e.scalarLike(1, y), y));
        s.setGrad(0, e.node("Mul", s.g(), d));
      }
    });
    r.put("Tanh", new Unary() {
      @Override
      public void backward(BackwardStep s) { // g * (1 - y^2)
        GradEmitter e = s.e;
        String y = s.out(0);
        String d = e.node("Sub", e.scalarLike(1, y), e.node("Mul", y, y));
        s.setGrad(0, e.node("Mul", s.g(), d));
      }
    });
    r.put("HardSigmoid", new Unary() {
      @Override
      public void backward(BackwardStep s) { // alpha where 0 < y < 1
        GradEmitter e = s.e;
        String y = s.out(0);
        double alpha = Attrs.f(s.node, "alpha", 0.2f);
        String mask = e.node("And", e.node("Greater", y, e.scalarLike(0, y)), e.node("Less", y, e.scalarLike(1, y)));
        String d = e.node("Where", List.of(mask, e.scalarLike(alpha, y), e.scalarLike(0, y)));
        s.setGrad(0, e.node("Mul", s.g(), d));
      }
    });
    r.put("HardSwish", new Unary() {
      @Override
      public void backward(BackwardStep s) { // y = x*h(x), h = HardSigmoid(1/6, 1/2); y' = h + x/6 where 0<h<1
        GradEmitter e = s.e;
        String x = s.in(0);
        String h = e.node("HardSigmoid", x, Attrs.floatAttr("alpha", 1f / 6f), Attrs.floatAttr("beta", 0.5f));
        String mask = e.node("And", e.node("Greater", x, e.scalarLike(-3, x)), e.node("Less", x, e.scalarLike(3, x)));
        String inner = e.node("Where", List.of(mask, e.node("Mul", x, e.scalarLike(1.0 / 6.0, x)), e.scalarLike(0, x)));
        s.setGrad(0, e.node("Mul", s.g(), e.node("Add", h, inner)));
      }
    });
    r.put("LeakyRelu", new Unary() {
      @Override
      public void backward(BackwardStep s) {
        GradEmitter e = s.e;
        String x = s.in(0);
        double alpha = Attrs.f(s.node, "alpha", 0.01f);
        String d = e.node("Where", List.of(e.node("Greater", x, e.scalarLike(0, x)), e.scalarLike(1, x), e.scalarLike(alpha, x)));
        s.setGrad(0, e.node("Mul", s.g(), d));
      }
    });
    r.put("Erf", new Unary() {
      @Override
      public void backward(BackwardStep s) { // 2/sqrt(pi) exp(-x^2)
        GradEmitter e = s.e;
        String x = s.in(0);
        String ex = e.node("Exp", e.node("Neg", e.node("Mul", x, x)));
        s.setGrad(0, e.node("Mul", s.g(), e.node("Mul", ex, e.scalarLike(2.0 / Math.sqrt(Math.PI), x))));
      }
    });
    r.put("Exp", new Unary() {
      @Override
      public void backward(BackwardStep s) {
        s.setGrad(0, s.e.node("Mul", s.g(), s.out(0)));
      }
    });
    r.put("Log", new Unary() {
      @Override
      public void backward(BackwardStep s) {
        s.setGrad(0, s.e.node("Div", s.g(), s.in(0)));
      }
    });
    r.put("Sqrt", new Unary() {
      @Override
      public void backward(BackwardStep s) { // g / (2 y)
        GradEmitter e = s.e;
        s.setGrad(0, e.node("Div", e.node("Mul", s.g(), e.scalarLike(0.5, s.out(0))), s.out(0)));
      }
    });
    r.put("Reciprocal", new Unary() {
      @Override
      public void backward(BackwardStep s) { // -g y^2
        GradEmitter e = s.e;
        String y = s.out(0);
        s.setGrad(0, e.node("Neg", e.node("Mul", s.g(), e.node("Mul", y, y))));
      }
    });
    r.put("Neg", new Unary() {
      @Override
      public void backward(BackwardStep s) {
        s.setGrad(0, s.e.node("Neg", s.g()));
      }
    });
  }

  /** Cast between float types passes the gradient (cast back); casts to other types end it. */
  static final class CastRule extends Unary {
    static boolean toFloat(NodeProto node) {
      long to = Attrs.i(node, "to", 0);
      return to == TensorProto.DataType.FLOAT.getNumber() || to == TensorProto.DataType.DOUBLE.getNumber()
          || to == TensorProto.DataType.FLOAT16.getNumber() || to == TensorProto.DataType.BFLOAT16.getNumber();
    }

    @Override
    public boolean differentiableOutput(NodeProto node, int o) {
      return o == 0 && toFloat(node);
    }

    @Override
    public void backward(BackwardStep s) {
      s.setGrad(0, s.e.node("CastLike", s.g(), s.in(0)));
    }
  }

  /**
   * Clip(x, min, max): the gradient passes where min < x < max, i.e. where min < y < max (reading y
   * rather than x leaves x free for ONNX Runtime to fuse Conv+Clip).
   */
  static final class ClipRule extends Unary {
    @Override
    public void check(NodeProto node) {
      if (Attrs.find(node, "min") != null || Attrs.find(node, "max") != null) {
        throw VjpRule.unsupported(node, "Clip with min/max attributes (opset < 11); export with opset 13 or later");
      }
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      String x = s.out(0);
      String mask = null;
      if (s.hasIn(1)) {
        mask = e.node("Greater", x, s.in(1));
      }
      if (s.hasIn(2)) {
        String upper = e.node("Less", x, s.in(2));
        mask = mask == null ? upper : e.node("And", mask, upper);
      }
      s.setGrad(0, mask == null ? s.g() : e.maskGrad(s.g(), mask));
    }
  }
}
