package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import java.util.Map;

/** BatchNormalization (inference), LayerNormalization, Softmax, LogSoftmax, ReduceMean, ReduceSum. */
final class NormRules {
  private NormRules() {}

  static void register(Map<String, VjpRule> r) {
    r.put("BatchNormalization", new ElementwiseRules.Unary() {
      @Override
      public void check(NodeProto node) {
        if (Attrs.i(node, "training_mode", 0) != 0) {
          throw VjpRule.unsupported(node, "training_mode=1 (export the model in eval mode)");
        }
      }

      @Override
      public void backward(BackwardStep s) { // g * scale / sqrt(var + eps), per channel (axis 1)
        GradEmitter e = s.e;
        String x = s.in(0);
        String eps = e.scalarLike(Attrs.f(s.node, "epsilon", 1e-5f), s.in(4));
        String factor = e.node("Div", s.in(1), e.node("Sqrt", e.node("Add", s.in(4), eps)));
        String shape;
        if (e.rank(x) >= 2) {
          long[] dims = new long[e.rank(x) - 1];
          java.util.Arrays.fill(dims, 1);
          dims[0] = -1;
          shape = e.ints(dims);
        } else {
          String ones = e.node("ConstantOfShape", List.of(e.node("Reshape",
              e.node("Sub", e.node("Size", e.shape(x)), e.intScalar(2)), e.ints(1))), GradEmitter.intTensorAttr("value", 1));
          shape = e.node("Concat", List.of(e.ints(-1), ones), Attrs.intAttr("axis", 0));
        }
        String f = e.cast(e.node("Reshape", factor, shape));
        s.setGrad(0, e.node("Mul", s.g(), f));
      }
    });
    r.put("LayerNormalization", new LayerNormRule());
    r.put("Softmax", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) { // y * (g - sum(g y))
        GradEmitter e = s.e;
        String y = s.out(0);
        String sum = e.node("ReduceSum", List.of(e.node("Mul", s.g(), y), e.ints(Attrs.i(s.node, "axis", -1))),
            Attrs.intAttr("keepdims", 1));
        s.setGrad(0, e.node("Mul", y, e.node("Sub", s.g(), sum)));
      }
    });
    r.put("LogSoftmax", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) { // g - exp(y) * sum(g)
        GradEmitter e = s.e;
        String sum = e.node("ReduceSum", List.of(s.g(), e.ints(Attrs.i(s.node, "axis", -1))), Attrs.intAttr("keepdims", 1));
        s.setGrad(0, e.node("Sub", s.g(), e.node("Mul", e.node("Exp", s.out(0)), sum)));
      }
    });
    r.put("ReduceMean", new ReduceRule(true));
    r.put("ReduceSum", new ReduceRule(false));
  }

  /** ReduceMean / ReduceSum: broadcast the gradient back (re-inserting reduced axes), divided by the count for the mean. */
  static final class ReduceRule extends ElementwiseRules.Unary {
    private final boolean mean;

    /** The product of the static sizes and N coefficients (0 when a size is 0). */
    private static long numel(StaticShapes.Dims d) {
      long n = 1;
      for (long v : d.dims()) {
        n *= v;
      }
      return n;
    }

    ReduceRule(boolean mean) {
      this.mean = mean;
    }

    @Override
    public void check(NodeProto node) {
      if (Attrs.i(node, "noop_with_empty_axes", 0) != 0) {
        throw VjpRule.unsupported(node, "noop_with_empty_axes=1");
      }
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      String x = s.in(0);
      String g = s.g();
      long[] axes = Attrs.ints(s.node, "axes");
      if (Attrs.i(s.node, "keepdims", 1) == 0) {
        if (axes != null) {
          g = e.node("Unsqueeze", g, e.ints(axes));
        } else if (s.hasIn(1)) { // axes as an input (ReduceSum 13+, ReduceMean 18+): same axes re-inserted
          g = e.node("Unsqueeze", g, s.in(1));
        }
      }
      StaticShapes.Dims dx = e.dims(x);
      StaticShapes.Dims dy = e.dims(s.out(0));
      if (mean) {
        long ratio = dx == null || dy == null || dx.perNCount() != dy.perNCount() || numel(dy) <= 0
            || numel(dx) % numel(dy) != 0 ? -1 : numel(dx) / numel(dy);
        if (ratio > 0) {
          g = e.node("Mul", g, e.scalarLike(1.0 / ratio, x));
        } else {
          String nx = e.cast(e.numel1(x));
          String ny = e.cast(e.node("ReduceProd", e.node("Shape", s.out(0)), Attrs.intAttr("keepdims", 1)));
          g = e.node("Div", g, e.node("Div", nx, ny));
        }
      }
      String target = Attrs.i(s.node, "keepdims", 1) == 1 ? e.expandTarget(dy, dx) : null;
      s.setGrad(0, e.node("Expand", g, target != null ? target : e.shape(x)));
    }
  }

  /**
   * LayerNormalization over axes [axis, rank): with xhat = (x - mu) * rstd and gh = g * scale,
   * gx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)).
   */
  static final class LayerNormRule extends ElementwiseRules.Unary {
    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      String x = s.in(0);
      long axis = Attrs.i(s.node, "axis", -1);
      String rank = e.node("Size", e.shape(x));
      String start = axis < 0 ? e.node("Add", rank, e.intScalar(axis)) : e.intScalar(axis);
      String axes = e.node("Range", List.of(start, rank, e.intScalar(1)));
      String count = e.cast(e.node("ReduceProd", List.of(e.node("Slice", List.of(e.shape(x),
          e.node("Reshape", start, e.ints(1)), e.ints(GradEmitter.END)))), Attrs.intAttr("keepdims", 0)));
      String mu = mean(e, x, axes, count);
      String xc = e.node("Sub", x, mu);
      String var = mean(e, e.node("Mul", xc, xc), axes, count);
      String eps = e.scalarLike(Attrs.f(s.node, "epsilon", 1e-5f), x);
      String rstd = e.node("Reciprocal", e.node("Sqrt", e.node("Add", var, eps)));
      String xhat = e.node("Mul", xc, rstd);
      String gh = e.node("Mul", s.g(), s.in(1));
      String t = e.node("Sub", e.node("Sub", gh, mean(e, gh, axes, count)),
          e.node("Mul", xhat, mean(e, e.node("Mul", gh, xhat), axes, count)));
      s.setGrad(0, e.node("Mul", rstd, t));
    }

    private static String mean(GradEmitter e, String t, String axes, String count) {
      return e.node("Div", e.node("ReduceSum", List.of(t, axes), Attrs.intAttr("keepdims", 1)), count);
    }
  }
}
