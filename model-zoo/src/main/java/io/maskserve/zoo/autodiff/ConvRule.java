package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Conv (any groups, strides, dilations, explicit pads): the gradient w.r.t. the input is a
 * ConvTranspose of the output gradient with the same weights, without padding, then cropped by the
 * pads and zero-extended at the end where strides left input rows unused. With static spatial sizes
 * the ConvTranspose does both itself (pads and output_padding attributes); otherwise shapes are read
 * in-graph. Stride 1 with constant weights uses a flipped-weight Conv instead.
 */
final class ConvRule implements VjpRule {

  @Override
  public boolean differentiableInput(NodeProto node, int i) {
    return i == 0;
  }

  @Override
  public void check(NodeProto node) {
    String autoPad = Attrs.s(node, "auto_pad", "NOTSET");
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      throw VjpRule.unsupported(node, "auto_pad=" + autoPad + " (export with explicit pads)");
    }
  }

  @Override
  public void backward(BackwardStep s) {
    GradEmitter e = s.e;
    NodeProto n = s.node;
    List<AttributeProto> attrs = new ArrayList<>();
    for (String a : List.of("strides", "dilations", "kernel_shape")) {
      if (Attrs.find(n, a) != null) {
        attrs.add(Attrs.find(n, a));
      }
    }
    attrs.add(Attrs.intAttr("group", Attrs.i(n, "group", 1)));
    String viaConv = asFlippedConv(s);
    if (viaConv != null) {
      s.setGrad(0, viaConv);
      return;
    }
    long[] outputPadding = staticOutputPadding(s);
    if (outputPadding != null) { // the transposed convolution crops the pads and extends the end itself
      attrs.add(Attrs.intsAttr("pads", pads(n).length == 0 ? new long[2 * outputPadding.length] : pads(n)));
      attrs.add(Attrs.intsAttr("output_padding", outputPadding));
      s.setGrad(0, e.node("ConvTranspose", List.of(s.g(), s.in(1)), attrs.toArray(new AttributeProto[0])));
      return;
    }
    String full = e.node("ConvTranspose", List.of(s.g(), s.in(1)), attrs.toArray(new AttributeProto[0]));
    s.setGrad(0, cropToInput(e, full, s.in(0), pads(n), Attrs.ints(n, "strides")));
  }

  /**
   * For stride 1 with constant float32 weights, the input gradient is itself a convolution of the
   * output gradient with the weights flipped spatially and transposed per group ([Cout, Cin/g, k...]
   * to [Cin, Cout/g, k...]), padded by (k-1)*d - p: ONNX Runtime's Conv is several times faster than its
   * ConvTranspose (grouped and depthwise especially). Returns null when that does not apply.
   */
  private static String asFlippedConv(BackwardStep s) {
    GradEmitter e = s.e;
    NodeProto n = s.node;
    long[] strides = Attrs.ints(n, "strides");
    if (strides != null) {
      for (long st : strides) {
        if (st != 1) {
          return null; // as a zero-interleaved gradient and a stride-1 convolution: slower in ORT (measured)
        }
      }
    }
    TensorProto w = e.constant(s.in(1));
    if (w == null || w.getDimsCount() != 4 || w.getDataType() != TensorProto.DataType.FLOAT.getNumber()
        || e.elemType() != TensorProto.DataType.FLOAT.getNumber()) {
      return null;
    }
    int cout = (int) w.getDims(0);
    int cinG = (int) w.getDims(1);
    int kh = (int) w.getDims(2);
    int kw = (int) w.getDims(3);
    int group = (int) Attrs.i(n, "group", 1);
    long[] dil = Attrs.ints(n, "dilations");
    long dh = dil == null ? 1 : dil[0];
    long dw = dil == null ? 1 : dil[1];
    long[] p = pads(n);
    long[] pads = p.length == 4 ? p : new long[4];
    long[] newPads = {(kh - 1) * dh - pads[0], (kw - 1) * dw - pads[1], (kh - 1) * dh - pads[2], (kw - 1) * dw - pads[3]};
    for (long q : newPads) {
      if (q < 0) {
        return null;
      }
    }
    float[] src = GradEmitter.floatValues(w);
    if (src == null || cout % group != 0) {
      return null;
    }
    int coutG = cout / group;
    int cin = cinG * group;
    float[] dst = new float[src.length];
    for (int o = 0; o < cout; o++) {
      int gi = o / coutG;
      int ol = o % coutG;
      for (int i = 0; i < cinG; i++) {
        int c = gi * cinG + i;
        for (int y = 0; y < kh; y++) {
          for (int x = 0; x < kw; x++) {
            dst[((c * coutG + ol) * kh + (kh - 1 - y)) * kw + (kw - 1 - x)] = src[((o * cinG + i) * kh + y) * kw + x];
          }
        }
      }
    }
    String flipped = e.floats(dst, cin, coutG, kh, kw);
    return e.node("Conv", List.of(s.g(), flipped), Attrs.intsAttr("kernel_shape", kh, kw),
        Attrs.intsAttr("dilations", dh, dw), Attrs.intsAttr("pads", newPads), Attrs.intAttr("group", group));
  }

  /**
   * With static spatial sizes of input and output: the input rows beyond the last window that a
   * stride leaves unused, per spatial axis (ConvTranspose's output_padding, each < stride), or null
   * when sizes are unknown or inconsistent.
   */
  private static long[] staticOutputPadding(BackwardStep s) {
    NodeProto n = s.node;
    TensorProto w = s.e.constant(s.in(1));
    long[] kernel = Attrs.ints(n, "kernel_shape");
    if (kernel == null && w != null && w.getDimsCount() >= 3) {
      kernel = new long[w.getDimsCount() - 2];
      for (int k = 0; k < kernel.length; k++) {
        kernel[k] = w.getDims(2 + k);
      }
    }
    return staticOutputPadding(s.e, s.in(0), s.out(0), kernel, Attrs.ints(n, "strides"), Attrs.ints(n, "dilations"),
        pads(n));
  }

  /** As above, for a window op from {@code x} to {@code y} with these attributes (null: defaults). */
  static long[] staticOutputPadding(GradEmitter e, String x, String y, long[] kernel, long[] strides, long[] dil,
      long[] p) {
    StaticShapes.Dims dx = e.dims(x);
    StaticShapes.Dims dy = e.dims(y);
    if (dx == null || dy == null || dx.rank() != dy.rank() || dx.rank() < 3) {
      return null;
    }
    int r = dx.rank() - 2;
    if (kernel == null || kernel.length != r || (p.length != 0 && p.length != 2 * r)) {
      return null;
    }
    long[] extra = new long[r];
    for (int k = 0; k < r; k++) {
      if (dx.perN()[2 + k] || dy.perN()[2 + k]) {
        return null;
      }
      long st = strides == null ? 1 : strides[k];
      long d = dil == null ? 1 : dil[k];
      long full = st * (dy.dims()[2 + k] - 1) + (kernel[k] - 1) * d + 1;
      long padded = dx.dims()[2 + k] + (p.length == 0 ? 0 : p[k] + p[k + r]);
      extra[k] = padded - full;
      if (extra[k] < 0 || extra[k] >= st) {
        return null;
      }
    }
    return extra;
  }

  /** Explicit pads of a Conv/pool node ([] when none or auto_pad=VALID). */
  static long[] pads(NodeProto n) {
    long[] p = Attrs.ints(n, "pads");
    return p == null || Attrs.s(n, "auto_pad", "NOTSET").equals("VALID") ? new long[0] : p;
  }

  /**
   * Turns the unpadded transposed convolution {@code full} (spatial size s*(o-1)+effective kernel)
   * into the gradient of the input {@code x}: zero-extend to the padded input size, then drop the pads.
   */
  static String cropToInput(GradEmitter e, String full, String x, long[] pads, long[] strides) {
    int r = pads.length / 2;
    boolean strided = false;
    if (strides != null) {
      for (long st : strides) {
        strided |= st > 1;
      }
    }
    String g = full;
    if (strided) {
      int rs = strides.length;
      long[] padSum = new long[rs];
      for (int k = 0; k < r && k < rs; k++) {
        padSum[k] = pads[k] + pads[k + r];
      }
      String padded = e.node("Add", e.shapeFrom(x, 2), e.ints(padSum));
      String extra = e.node("Sub", padded, e.node("Slice", List.of(e.node("Shape", full), e.ints(2), e.ints(GradEmitter.END))));
      String padVec = e.node("Concat", List.of(e.ints(new long[rs + 4]), extra), Attrs.intAttr("axis", 0));
      g = e.node("Pad", g, padVec);
    }
    boolean anyPad = false;
    for (long p : pads) {
      anyPad |= p != 0;
    }
    if (!anyPad) {
      return g;
    }
    long[] starts = new long[r];
    long[] ends = new long[r];
    long[] axes = new long[r];
    for (int k = 0; k < r; k++) {
      starts[k] = pads[k];
      ends[k] = pads[k + r] > 0 ? -pads[k + r] : GradEmitter.END;
      axes[k] = 2 + k;
    }
    return e.node("Slice", List.of(g, e.ints(starts), e.ints(ends), e.ints(axes)));
  }
}
