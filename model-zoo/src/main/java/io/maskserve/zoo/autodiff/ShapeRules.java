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
        StaticShapes.Dims in = s.e.dims(s.in(0));
        if (in != null && in.sameAs(s.e.dims(s.out(0)))) {
          s.setGrad(0, s.g()); // a reshape to the same shape
          return;
        }
        s.setGrad(0, s.e.reshapeLike(s.g(), s.in(0)));
      }
    };
    for (String op : List.of("Reshape", "Flatten", "Squeeze", "Unsqueeze")) {
      r.put(op, reshapeBack);
    }
    r.put("Expand", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) {
        s.setGrad(0, s.e.unbroadcast(s.g(), s.in(0), null, s.out(0)));
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
        String folded = staticSliceBackward(s);
        if (folded != null) {
          s.setGrad(0, folded);
          return;
        }
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

  static long[] toArray(List<Long> v) {
    return v.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Slice with constant starts/ends/axes/steps (positive) of a tensor whose sliced axes have static
   * sizes: the gradient is the output gradient spread back with zeros, by reshapes and pads
   * (interleaving zeros for steps > 1) instead of a scatter. Null when that does not apply.
   */
  static String staticSliceBackward(BackwardStep s) {
    GradEmitter e = s.e;
    StaticShapes.Dims dx = e.dims(s.in(0));
    StaticShapes.Dims dy = e.dims(s.out(0));
    long[] st = e.longValues(s.in(1));
    long[] en = e.longValues(s.in(2));
    if (dx == null || dy == null || st == null || en == null || st.length != en.length || dx.rank() != dy.rank()
        || dx.perNCount() > 1) {
      return null;
    }
    int r = dx.rank();
    long[] ax = new long[st.length];
    long[] sp = new long[st.length];
    java.util.Arrays.fill(sp, 1);
    for (int i = 0; i < ax.length; i++) {
      ax[i] = i;
    }
    if (s.hasIn(3)) {
      ax = e.longValues(s.in(3));
    }
    if (s.hasIn(4)) {
      sp = e.longValues(s.in(4));
    }
    if (ax == null || sp == null || ax.length != st.length || sp.length != st.length) {
      return null;
    }
    long[] start = new long[r];
    long[] step = new long[r];
    java.util.Arrays.fill(step, 1);
    boolean[] sliced = new boolean[r];
    for (int i = 0; i < ax.length; i++) {
      int a = (int) (ax[i] < 0 ? ax[i] + r : ax[i]);
      if (a < 0 || a >= r || sliced[a] || sp[i] <= 0 || dx.perN()[a]) {
        return null;
      }
      long len = dx.dims()[a];
      long b = st[i] < 0 ? st[i] + len : st[i];
      b = Math.max(0, Math.min(len, b));
      sliced[a] = true;
      start[a] = b;
      step[a] = sp[i];
    }
    // the output shape must be what the constants say (it is, unless the probe disagrees)
    long[] m = new long[r];
    for (int a = 0; a < r; a++) {
      if (!sliced[a]) {
        if (!dx.sameDim(a, dy, a)) {
          return null;
        }
        continue;
      }
      if (dy.perN()[a] || dy.dims()[a] <= 0) {
        return null;
      }
      m[a] = dy.dims()[a];
      if (start[a] + step[a] * (m[a] - 1) >= dx.dims()[a]) {
        return null;
      }
    }
    String g = s.g();
    boolean anyStep = false;
    for (int a = 0; a < r; a++) {
      anyStep |= sliced[a] && step[a] > 1;
    }
    if (anyStep) { // interleave zeros: [.., m, ..] -> [.., m, 1, ..] -> pad to [.., m, step, ..] -> [.., m*step, ..]
      List<Long> split = new ArrayList<>();
      List<Long> padEnd = new ArrayList<>();
      long[] merged = new long[r];
      for (int a = 0; a < r; a++) {
        long d = dx.perN()[a] ? -1 : sliced[a] ? m[a] : dx.dims()[a];
        split.add(d);
        padEnd.add(0L);
        merged[a] = dx.perN()[a] ? -1 : sliced[a] ? m[a] * step[a] : dx.dims()[a];
        if (sliced[a] && step[a] > 1) {
          split.add(1L);
          padEnd.add(step[a] - 1);
        } else {
          merged[a] = d;
        }
      }
      long[] pads = new long[2 * split.size()];
      for (int k = 0; k < split.size(); k++) {
        pads[split.size() + k] = padEnd.get(k);
      }
      g = e.node("Reshape", g, e.ints(toArray(split)));
      g = e.node("Pad", g, e.ints(pads));
      g = e.node("Reshape", g, e.ints(merged));
      for (int a = 0; a < r; a++) {
        if (sliced[a] && step[a] > 1) {
          m[a] = m[a] * step[a];
        }
      }
    }
    // now each sliced axis holds m[a] elements starting at start[a]: crop any overhang, pad to the input size
    List<Long> cropEnds = new ArrayList<>();
    List<Long> cropAxes = new ArrayList<>();
    long[] pads = new long[2 * r];
    boolean anyPad = false;
    for (int a = 0; a < r; a++) {
      if (!sliced[a]) {
        continue;
      }
      long back = dx.dims()[a] - start[a] - m[a];
      if (back < 0) {
        cropEnds.add(m[a] + back);
        cropAxes.add((long) a);
        back = 0;
      }
      pads[a] = start[a];
      pads[r + a] = back;
      anyPad |= start[a] != 0 || back != 0;
    }
    if (!cropAxes.isEmpty()) {
      g = e.node("Slice", List.of(g, e.ints(new long[cropAxes.size()]), e.ints(toArray(cropEnds)), e.ints(toArray(cropAxes))));
    }
    if (anyPad) {
      g = e.node("Pad", g, e.ints(pads));
    }
    return g;
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
      long[] known = new long[n];
      for (int i = 0; i < n && known != null; i++) {
        StaticShapes.Dims d = e.dims(s.in(i));
        int a = d == null ? -1 : (int) (axis < 0 ? axis + d.rank() : axis);
        if (d == null || a < 0 || a >= d.rank() || d.perN()[a]) {
          known = null;
        } else {
          known[i] = d.dims()[a];
        }
      }
      if (known != null) {
        List<String> parts = e.nodeN("Split", List.of(s.g(), e.ints(known)), n, Attrs.intAttr("axis", axis));
        for (int i = 0; i < n; i++) {
          if (s.wanted(i)) {
            s.setGrad(i, parts.get(i));
          }
        }
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
      long[] p = e.longValues(s.in(1));
      if (p != null && p.length % 2 == 0 && java.util.Arrays.stream(p).allMatch(v -> v >= 0)) {
        // constant non-negative pads: the gradient is the window [begin, -end) on the padded axes
        int r = p.length / 2;
        List<Long> starts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        List<Long> axes = new ArrayList<>();
        for (int k = 0; k < r; k++) {
          if (p[k] != 0 || p[k + r] != 0) {
            starts.add(p[k]);
            ends.add(p[k + r] > 0 ? -p[k + r] : GradEmitter.END);
            axes.add((long) k);
          }
        }
        s.setGrad(0, axes.isEmpty() ? s.g() : e.node("Slice", List.of(s.g(), e.ints(toArray(starts)), e.ints(toArray(ends)),
            e.ints(toArray(axes)))));
        return;
      }
      String begins = e.node("Gather", List.of(e.node("Reshape", s.in(1), e.ints(2, -1)), e.intScalar(0)),
          Attrs.intAttr("axis", 0));
      String ends = e.node("Add", begins, e.shape(s.in(0)));
      s.setGrad(0, e.node("Slice", List.of(s.g(), begins, ends)));
    }
  }
}
