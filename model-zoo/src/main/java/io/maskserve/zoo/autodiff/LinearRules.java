package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.List;
import java.util.Map;

/** MatMul and Gemm. */
final class LinearRules {
  private LinearRules() {}

  static void register(Map<String, VjpRule> r) {
    r.put("MatMul", new MatMulRule());
    r.put("Gemm", new GemmRule());
  }

  /** A[...,m,k] @ B[...,k,n]: gA = g @ B^T, gB = A^T @ g, each summed over broadcast batch axes. */
  static final class MatMulRule implements VjpRule {
    @Override
    public boolean differentiableInput(NodeProto node, int i) {
      return i == 0 || i == 1;
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      String a = s.in(0);
      String b = s.in(1);
      if (s.wanted(0)) {
        String bt = transposeConstant(e, b);
        String ga = bt != null
            ? e.node("MatMul", s.g(), bt)
            : e.node("Einsum", List.of(s.g(), b), GradEmitter.sAttr("equation", "...mn,...kn->...mk"));
        s.setGrad(0, e.unbroadcast(ga, a, null));
      }
      if (s.wanted(1)) {
        String at = transposeConstant(e, a);
        String gb = at != null
            ? e.node("MatMul", at, s.g())
            : e.node("Einsum", List.of(a, s.g()), GradEmitter.sAttr("equation", "...mk,...mn->...kn"));
        s.setGrad(1, e.unbroadcast(gb, b, null));
      }
    }
  }

  /**
   * The constant {@code t} (rank >= 2, rank known statically) with its last two axes swapped, or null
   * when {@code t} is not a constant. Both operands active use Einsum, whose batch axes (the "...")
   * must then agree, as they do for attention's Q K^T and A V.
   */
  static String transposeConstant(GradEmitter e, String t) {
    TensorProto c = e.constant(t);
    if (c == null || c.getDimsCount() < 2) {
      return null;
    }
    int r = c.getDimsCount();
    long[] perm = new long[r];
    for (int k = 0; k < r; k++) {
      perm[k] = k;
    }
    perm[r - 2] = r - 1;
    perm[r - 1] = r - 2;
    return e.node("Transpose", t, Attrs.intsAttr("perm", perm));
  }

  /** Y = alpha A' B' + beta C with A' = transA ? A^T : A (and B' likewise). */
  static final class GemmRule implements VjpRule {
    @Override
    public boolean differentiableInput(NodeProto node, int i) {
      return i <= 2;
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      NodeProto n = s.node;
      float alpha = Attrs.f(n, "alpha", 1f);
      float beta = Attrs.f(n, "beta", 1f);
      long ta = Attrs.i(n, "transA", 0);
      long tb = Attrs.i(n, "transB", 0);
      String g = s.g();
      if (s.wanted(0)) { // gA' = alpha g B'^T
        String ga = ta == 0
            ? gemm(e, g, s.in(1), alpha, 0, tb == 0 ? 1 : 0)
            : gemm(e, s.in(1), g, alpha, tb, 1);
        s.setGrad(0, ga);
      }
      if (s.wanted(1)) { // gB' = alpha A'^T g
        String gb = tb == 0
            ? gemm(e, s.in(0), g, alpha, ta == 0 ? 1 : 0, 0)
            : gemm(e, g, s.in(0), alpha, 1, ta);
        s.setGrad(1, gb);
      }
      if (s.wanted(2)) {
        String gc = beta == 1f ? g : e.node("Mul", g, e.scalarLike(beta, g));
        s.setGrad(2, e.unbroadcast(gc, s.in(2), null, s.out(0)));
      }
    }

    private static String gemm(GradEmitter e, String a, String b, float alpha, long ta, long tb) {
      return e.node("Gemm", List.of(a, b), Attrs.floatAttr("alpha", alpha), Attrs.intAttr("transA", ta),
          Attrs.intAttr("transB", tb));
    }
  }
}
