package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import java.util.Map;

/** Rules of broadcasting binary element-wise ops; input gradients are summed back to each input's shape. */
final class BinaryRules {
  private BinaryRules() {}

  abstract static class Binary implements VjpRule {
    @Override
    public boolean differentiableInput(NodeProto node, int i) {
      return i == 0 || i == 1;
    }

    /** Sets the gradient of input {@code i} from a full-shape gradient {@code full}. */
    static void set(BackwardStep s, int i, String full) {
      s.setGrad(i, s.e.unbroadcast(full, s.in(i), s.in(1 - i), s.out(0)));
    }
  }

  static void register(Map<String, VjpRule> r) {
    r.put("Add", new Binary() {
      @Override
      public void backward(BackwardStep s) {
        for (int i = 0; i < 2; i++) {
          if (s.wanted(i)) {
            set(s, i, s.g());
          }
        }
      }
    });
    r.put("Sub", new Binary() {
      @Override
      public void backward(BackwardStep s) {
        if (s.wanted(0)) {
          set(s, 0, s.g());
        }
        if (s.wanted(1)) {
          set(s, 1, s.e.node("Neg", s.g()));
        }
      }
    });
    r.put("Mul", new Binary() {
      @Override
      public void backward(BackwardStep s) {
        for (int i = 0; i < 2; i++) {
          if (s.wanted(i)) {
            set(s, i, s.e.node("Mul", s.g(), s.in(1 - i)));
          }
        }
      }
    });
    r.put("Div", new Binary() {
      @Override
      public void backward(BackwardStep s) { // y = a / b: ga = g / b, gb = -g y / b
        GradEmitter e = s.e;
        if (s.wanted(0)) {
          set(s, 0, e.node("Div", s.g(), s.in(1)));
        }
        if (s.wanted(1)) {
          set(s, 1, e.node("Neg", e.node("Div", e.node("Mul", s.g(), s.out(0)), s.in(1))));
        }
      }
    });
    r.put("Pow", new VjpRule() {
      @Override
      public boolean differentiableInput(NodeProto node, int i) {
        return i == 0; // exponent gradients are not supported (classifiers use constant exponents)
      }

      @Override
      public void backward(BackwardStep s) { // g * p * x^(p-1)
        GradEmitter e = s.e;
        String x = s.in(0);
        String p = e.cast(s.in(1));
        String pm1 = e.node("Sub", p, e.scalarLike(1, x));
        String d = e.node("Mul", p, e.node("Pow", x, pm1));
        s.setGrad(0, e.unbroadcast(e.node("Mul", s.g(), d), x, s.in(1), s.out(0)));
      }
    });
    r.put("Where", new VjpRule() {
      @Override
      public boolean differentiableInput(NodeProto node, int i) {
        return i == 1 || i == 2;
      }

      @Override
      public void backward(BackwardStep s) {
        GradEmitter e = s.e;
        String zero = e.scalarLike(0, s.g());
        if (s.wanted(1)) {
          String full = e.node("Where", List.of(s.in(0), s.g(), zero));
          s.setGrad(1, e.unbroadcast(full, s.in(1), null, s.out(0)));
        }
        if (s.wanted(2)) {
          String full = e.node("Where", List.of(s.in(0), zero, s.g()));
          s.setGrad(2, e.unbroadcast(full, s.in(2), null, s.out(0)));
        }
      }
    });
  }
}
