package io.maskserve.zoo.autodiff;

import static io.maskserve.zoo.autodiff.OpGradientHarness.check;
import static io.maskserve.zoo.autodiff.OpGradientHarness.uniform;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.floatAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every rule against finite differences (see {@link OpGradientHarness}), on random shapes and attributes. */
class OpGradientTest {

  private static final Random RND = new Random(20261126);

  private static long[] shape(int... dims) {
    long[] s = new long[dims.length];
    for (int k = 0; k < dims.length; k++) {
      s[k] = dims[k];
    }
    return s;
  }

  private static int between(int lo, int hi) {
    return lo + RND.nextInt(hi - lo + 1);
  }

  @Test
  void unaryActivations() throws Exception {
    long[] s = shape(2, 3, 4);
    for (String op : List.of("Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Neg", "Identity")) {
      check(op, s, -2, 2, 1, (b, x) -> b.node(op, List.of(x)));
    }
    for (String op : List.of("Sqrt", "Log", "Reciprocal")) {
      check(op, s, 0.5, 2, 2, (b, x) -> b.node(op, List.of(x)));
    }
    check("Dropout", s, -1, 1, 3, (b, x) -> b.node("Dropout", List.of(x)));
    check("LeakyRelu", s, -2, 2, 4, (b, x) -> b.node("LeakyRelu", List.of(x), floatAttr("alpha", 0.1f)));
    check("HardSigmoid", shape(3, 20), -4, 4, 5,
        (b, x) -> b.node("HardSigmoid", List.of(x), floatAttr("alpha", 0.3f), floatAttr("beta", 0.4f)));
    check("HardSwish", shape(3, 20), -5, 5, 6, (b, x) -> b.node("HardSwish", List.of(x)));
    check("Clip(min,max)", shape(3, 20), -3, 9, 7,
        (b, x) -> b.node("Clip", List.of(x, b.floatScalar("lo", 0f), b.floatScalar("hi", 6f))));
    check("Clip(min)", shape(3, 10), -3, 3, 8, (b, x) -> b.node("Clip", List.of(x, b.floatScalar("lo", 0.5f))));
    check("Cast(float->float)", s, -1, 1, 9, (b, x) -> b.node("Sigmoid", List.of(b.node("Cast", List.of(x),
        intAttr("to", TensorProto.DataType.DOUBLE.getNumber())))));
    check("Gelu(Erf decomposition)", s, -3, 3, 10, (b, x) -> {
      String erf = b.node("Erf", List.of(b.node("Div", List.of(x, b.floatScalar("sqrt2", (float) Math.sqrt(2))))));
      String half = b.node("Mul", List.of(x, b.floatScalar("half", 0.5f)));
      return b.node("Mul", List.of(half, b.node("Add", List.of(erf, b.floatScalar("one", 1f)))));
    });
  }

  @Test
  void binaryWithBroadcasting() throws Exception {
    for (String op : List.of("Add", "Sub", "Mul", "Div")) {
      // both operands depend on x; the second is broadcast over H, W
      check(op + " [N,C,H,W] x [N,C,1,1]", shape(2, 3, 4, 5), -1, 1, 11, (b, x) -> {
        String m = b.node("ReduceMean", List.of(x), ints("axes", 2, 3), intAttr("keepdims", 1));
        String pos = b.node("Add", List.of(b.node("Sigmoid", List.of(m)), b.floatScalar("c", 0.5f)));
        return b.node(op, List.of(x, pos));
      });
      // rank-lower operand on the left, constant on the right
      check(op + " [C] x [N,C] and constant", shape(2, 4), 0.5, 1.5, 12, (b, x) -> {
        String r = b.node("ReduceSum", List.of(x, b.int64Initializer("ax", new long[] {0}, 1)), intAttr("keepdims", 0));
        String t = b.node(op, List.of(r, x));
        return b.node(op, List.of(t, b.floatInitializer("k", uniform(RND, 4, 0.5, 1.5), 4)));
      });
    }
    check("Pow(x, 2), Pow(x, 3)", shape(2, 5), 0.5, 2, 13, (b, x) -> b.node("Add", List.of(
        b.node("Pow", List.of(x, b.floatScalar("two", 2f))), b.node("Pow", List.of(x, b.floatScalar("three", 3f))))));
    check("Where", shape(3, 6), -1, 1, 14, (b, x) -> {
      String cond = b.node("Greater", List.of(x, b.floatScalar("z", 0.1f)));
      return b.node("Where", List.of(cond, b.node("Mul", List.of(x, x)), b.node("Neg", List.of(x))));
    });
    check("Expand", shape(1, 3, 1), -1, 1, 15,
        (b, x) -> b.node("Expand", List.of(x, b.int64Initializer("es", new long[] {2, 3, 4}, 3))));
  }

  @Test
  void matMulAndGemm() throws Exception {
    check("MatMul attention-like: softmax(x x^T) x", shape(2, 3, 4), -1, 1, 20, (b, x) -> {
      String att = b.node("Softmax", List.of(b.node("MatMul", List.of(x, b.node("Transpose", List.of(x), ints("perm", 0, 2, 1))))));
      return b.node("MatMul", List.of(att, x));
    });
    check("MatMul x [2,3,4] @ W [4,5]", shape(2, 3, 4), -1, 1, 21,
        (b, x) -> b.node("MatMul", List.of(x, b.floatInitializer("w", uniform(RND, 20, -1, 1), 4, 5))));
    check("MatMul x @ x^T (batched, both active)", shape(2, 3, 4), -1, 1, 22,
        (b, x) -> b.node("MatMul", List.of(x, b.node("Transpose", List.of(x), ints("perm", 0, 2, 1)))));
    check("MatMul W [3,3] @ x [2,3,4] (broadcast)", shape(2, 3, 4), -1, 1, 23,
        (b, x) -> b.node("MatMul", List.of(b.floatInitializer("w", uniform(RND, 9, -1, 1), 3, 3), x)));
    for (int trial = 0; trial < 4; trial++) {
      long ta = trial & 1;
      long tb = (trial >> 1) & 1;
      float alpha = (float) (0.5 + RND.nextDouble());
      float beta = (float) (0.5 + RND.nextDouble());
      long[] s = ta == 0 ? shape(3, 4) : shape(4, 3);
      check("Gemm transA=" + ta + " transB=" + tb, s, -1, 1, 24 + trial, (b, x) -> {
        String w = b.floatInitializer("w", uniform(RND, 20, -1, 1), tb == 0 ? new long[] {4, 5} : new long[] {5, 4});
        String c = b.floatInitializer("c", uniform(RND, 5, -1, 1), 5);
        return b.node("Gemm", List.of(x, w, c), intAttr("transA", ta), intAttr("transB", tb), floatAttr("alpha", alpha),
            floatAttr("beta", beta));
      });
    }
    check("Gemm x x^T (B active)", shape(3, 4), -1, 1, 28,
        (b, x) -> b.node("Gemm", List.of(x, x), intAttr("transB", 1), floatAttr("alpha", 0.7f)));
  }

  @Test
  void convStrideOne() throws Exception { // the flipped-weight convolution path
    check("Conv depthwise k=3 s=1 p=1", shape(2, 4, 6, 5), -1, 1, 38, (b, x) -> b.node("Conv",
        List.of(x, b.floatInitializer("w", uniform(RND, 36, -1, 1), 4, 1, 3, 3)), ints("kernel_shape", 3, 3),
        ints("pads", 1, 1, 1, 1), intAttr("group", 4)));
    check("Conv g=2 k=3x2 d=2x1 p=2,0,1,1 s=1", shape(2, 4, 7, 6), -1, 1, 39, (b, x) -> b.node("Conv",
        List.of(x, b.floatInitializer("w", uniform(RND, 6 * 2 * 3 * 2, -1, 1), 6, 2, 3, 2)), ints("kernel_shape", 3, 2),
        ints("dilations", 2, 1), ints("pads", 2, 0, 1, 1), intAttr("group", 2)));
    check("Conv 1x1", shape(2, 3, 4, 4), -1, 1, 40, (b, x) -> b.node("Conv",
        List.of(x, b.floatInitializer("w", uniform(RND, 15, -1, 1), 5, 3, 1, 1), b.floatInitializer("bias", uniform(RND, 5, -1, 1), 5))));
  }

  @Test
  void conv() throws Exception {
    for (int trial = 0; trial < 8; trial++) {
      int groups = List.of(1, 2, 4).get(RND.nextInt(3));
      int cin = groups * between(1, 2);
      int cout = groups * between(1, 2);
      if (trial == 0) { // depthwise
        groups = 4;
        cin = 4;
        cout = 4;
      }
      int kh = between(1, 3);
      int kw = between(1, 3);
      int sh = between(1, 3);
      int sw = between(1, 2);
      int dh = between(1, 2);
      int dw = 1;
      int[] pads = {RND.nextInt(kh), RND.nextInt(kw), RND.nextInt(kh), RND.nextInt(kw)};
      int h = between(5, 8);
      int w = between(5, 7);
      int g = groups;
      int co = cout;
      int ci = cin;
      String label = String.format("Conv g=%d k=%dx%d s=%dx%d d=%dx%d p=%d,%d,%d,%d", g, kh, kw, sh, sw, dh, dw,
          pads[0], pads[1], pads[2], pads[3]);
      check(label, shape(2, cin, h, w), -1, 1, 30 + trial, (b, x) -> {
        String wt = b.floatInitializer("w", uniform(RND, co * (ci / g) * kh * kw, -1, 1), co, ci / g, kh, kw);
        String bias = b.floatInitializer("bias", uniform(RND, co, -1, 1), co);
        return b.node("Conv", List.of(x, wt, bias), ints("kernel_shape", kh, kw), ints("strides", sh, sw),
            ints("dilations", dh, dw), ints("pads", pads[0], pads[1], pads[2], pads[3]), intAttr("group", g));
      });
    }
  }

  @Test
  void pooling() throws Exception {
    for (int trial = 0; trial < 4; trial++) {
      int k = between(2, 3);
      int st = between(1, 2);
      int p = RND.nextInt(k);
      long ceil = trial == 3 ? 1 : 0;
      check("MaxPool k=" + k + " s=" + st + " p=" + p + " ceil=" + ceil, shape(2, 2, between(5, 7), 6), -1, 1, 40 + trial,
          (b, x) -> b.node("MaxPool", List.of(x), ints("kernel_shape", k, k), ints("strides", st, st),
              ints("pads", p, p, p, p), intAttr("ceil_mode", ceil)));
    }
    for (int trial = 0; trial < 4; trial++) {
      int k = between(2, 3);
      int st = between(1, 3);
      int p = trial == 0 ? 0 : RND.nextInt(k);
      long include = trial % 2;
      check("AveragePool k=" + k + " s=" + st + " p=" + p + " include_pad=" + include, shape(2, 2, between(5, 8), 6), -1, 1,
          45 + trial, (b, x) -> b.node("AveragePool", List.of(x), ints("kernel_shape", k, k), ints("strides", st, st),
              ints("pads", p, p, p, p), intAttr("count_include_pad", include)));
    }
    check("GlobalAveragePool", shape(2, 3, 4, 5), -1, 1, 49, (b, x) -> b.node("GlobalAveragePool", List.of(x)));
  }

  @Test
  void normalisation() throws Exception {
    check("BatchNormalization", shape(2, 3, 4, 4), -1, 1, 50, (b, x) -> b.node("BatchNormalization", List.of(x,
        b.floatInitializer("scale", uniform(RND, 3, 0.5, 2), 3), b.floatInitializer("bias", uniform(RND, 3, -1, 1), 3),
        b.floatInitializer("mean", uniform(RND, 3, -1, 1), 3), b.floatInitializer("var", uniform(RND, 3, 0.5, 2), 3)),
        floatAttr("epsilon", 1e-3f)));
    check("BatchNormalization rank 2", shape(4, 3), -1, 1, 51, (b, x) -> b.node("BatchNormalization", List.of(x,
        b.floatInitializer("scale", uniform(RND, 3, 0.5, 2), 3), b.floatInitializer("bias", uniform(RND, 3, -1, 1), 3),
        b.floatInitializer("mean", uniform(RND, 3, -1, 1), 3), b.floatInitializer("var", uniform(RND, 3, 0.5, 2), 3))));
    check("LayerNormalization axis=-1", shape(2, 3, 6), -1, 1, 52, (b, x) -> b.node("LayerNormalization", List.of(x,
        b.floatInitializer("scale", uniform(RND, 6, 0.5, 2), 6), b.floatInitializer("bias", uniform(RND, 6, -1, 1), 6)),
        floatAttr("epsilon", 1e-5f)));
    check("LayerNormalization axis=1", shape(2, 3, 4), -1, 1, 53, (b, x) -> b.node("LayerNormalization", List.of(x,
        b.floatInitializer("scale", uniform(RND, 12, 0.5, 2), 3, 4)), intAttr("axis", 1)));
    check("LayerNorm decomposed (ReduceMean, Sub, Pow, Sqrt, Div)", shape(2, 3, 5), -1, 1, 54, (b, x) -> {
      String mu = b.node("ReduceMean", List.of(x), ints("axes", -1), intAttr("keepdims", 1));
      String xc = b.node("Sub", List.of(x, mu));
      String var = b.node("ReduceMean", List.of(b.node("Pow", List.of(xc, b.floatScalar("two", 2f)))), ints("axes", -1));
      String sd = b.node("Sqrt", List.of(b.node("Add", List.of(var, b.floatScalar("eps", 1e-5f)))));
      return b.node("Div", List.of(xc, sd));
    });
    for (long axis : new long[] {-1, 1}) {
      check("Softmax axis=" + axis, shape(2, 4, 3), -2, 2, 55, (b, x) -> b.node("Softmax", List.of(x), intAttr("axis", axis)));
      check("LogSoftmax axis=" + axis, shape(2, 4, 3), -2, 2, 56,
          (b, x) -> b.node("LogSoftmax", List.of(x), intAttr("axis", axis)));
    }
    check("ReduceMean keepdims=0", shape(2, 3, 4), -1, 1, 57,
        (b, x) -> b.node("ReduceMean", List.of(x), ints("axes", 0, 2), intAttr("keepdims", 0)));
    check("ReduceMean all", shape(2, 3), -1, 1, 58, (b, x) -> b.node("ReduceMean", List.of(x), intAttr("keepdims", 0)));
    check("ReduceSum axes input", shape(2, 3, 4), -1, 1, 59,
        (b, x) -> b.node("ReduceSum", List.of(x, b.int64Initializer("axes", new long[] {1}, 1))));
  }

  @Test
  void shapeOps() throws Exception {
    check("Reshape via Shape/Gather/Unsqueeze/Concat", shape(2, 3, 4), -1, 1, 60, (b, x) -> {
      String sh = b.node("Shape", List.of(x));
      String n = b.node("Gather", List.of(sh, b.int64Initializer("zero", new long[] {0})), intAttr("axis", 0));
      String n1 = b.node("Unsqueeze", List.of(n, b.int64Initializer("ax0", new long[] {0}, 1)));
      String target = b.node("Concat", List.of(n1, b.int64Initializer("m1", new long[] {-1}, 1)), intAttr("axis", 0));
      String c = b.node("Cast", List.of(target), intAttr("to", TensorProto.DataType.INT64.getNumber()));
      return b.node("Reshape", List.of(x, c));
    });
    check("Flatten", shape(2, 3, 2, 2), -1, 1, 61, (b, x) -> b.node("Flatten", List.of(x), intAttr("axis", 2)));
    check("Squeeze/Unsqueeze", shape(2, 1, 3), -1, 1, 62, (b, x) -> b.node("Unsqueeze",
        List.of(b.node("Squeeze", List.of(x, b.int64Initializer("a1", new long[] {1}, 1))),
            b.int64Initializer("a2", new long[] {0, 3}, 2))));
    List<Long> perm = new ArrayList<>(List.of(0L, 1L, 2L, 3L));
    Collections.shuffle(perm, RND);
    check("Transpose perm=" + perm, shape(2, 3, 4, 2), -1, 1, 63, (b, x) -> b.node("Transpose", List.of(x),
        ints("perm", perm.stream().mapToLong(Long::longValue).toArray())));
    check("Transpose default", shape(2, 3), -1, 1, 64, (b, x) -> b.node("Transpose", List.of(x)));
    for (long axis : new long[] {1, -1}) {
      check("Concat axis=" + axis + " (x, x*x, sigmoid x)", shape(2, 3, 2), -1, 1, 65, (b, x) -> b.node("Concat",
          List.of(x, b.node("Mul", List.of(x, x)), b.node("Sigmoid", List.of(x))), intAttr("axis", axis)));
    }
    check("Split (unused second part)", shape(2, 5), -1, 1, 66, (b, x) -> {
      b.nodeOutputs("Split", List.of(x, b.int64Initializer("sp", new long[] {2, 3}, 2)), List.of("part0", "part1"),
          intAttr("axis", 1));
      return "part0";
    });
    for (int trial = 0; trial < 4; trial++) {
      long st = List.of(-6L, 0L, 1L).get(RND.nextInt(3)); // never empty (empty tensors are not supported)
      long step = trial == 3 ? -1 : between(1, 2);
      long start = step > 0 ? st : 4;
      long end = step > 0 ? 6 : 0;
      check("Slice start=" + start + " end=" + end + " step=" + step, shape(2, 7, 3), -1, 1, 67 + trial,
          (b, x) -> b.node("Slice", List.of(x, b.int64Initializer("st", new long[] {start, 1}, 2),
              b.int64Initializer("en", new long[] {end, 100}, 2), b.int64Initializer("ax", new long[] {1, 2}, 2),
              b.int64Initializer("sp", new long[] {step, 1}, 2))));
    }
    check("Slice ::2 (resnet20 shortcut)", shape(1, 2, 5, 6), -1, 1, 71, (b, x) -> b.node("Slice", List.of(x,
        b.int64Initializer("st", new long[] {0, 0}, 2), b.int64Initializer("en", new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, 2),
        b.int64Initializer("ax", new long[] {2, 3}, 2), b.int64Initializer("sp", new long[] {2, 2}, 2))));
    check("Pad constant", shape(2, 3, 4), -1, 1, 72, (b, x) -> b.node("Pad", List.of(x,
        b.int64Initializer("pads", new long[] {0, 2, 1, 1, 0, 3}, 6), b.floatScalar("pv", 0.5f))));
    check("Gather indices with repeats axis=1", shape(2, 4, 3), -1, 1, 73, (b, x) -> b.node("Gather",
        List.of(x, b.int64Initializer("idx", new long[] {3, 0, 3, -1}, 2, 2)), intAttr("axis", 1)));
    check("Gather scalar index (class token)", shape(2, 4, 3), -1, 1, 74,
        (b, x) -> b.node("Gather", List.of(x, b.int64Initializer("idx", new long[] {0})), intAttr("axis", 1)));
  }
}
