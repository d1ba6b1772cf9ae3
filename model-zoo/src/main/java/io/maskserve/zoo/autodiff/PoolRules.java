package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** MaxPool, AveragePool, GlobalAveragePool. */
final class PoolRules {
  private PoolRules() {}

  static void register(Map<String, VjpRule> r) {
    r.put("MaxPool", new MaxPoolRule());
    r.put("AveragePool", new AveragePoolRule());
    r.put("GlobalAveragePool", new ElementwiseRules.Unary() {
      @Override
      public void backward(BackwardStep s) { // g / (H*W), broadcast back
        GradEmitter e = s.e;
        String x = s.in(0);
        StaticShapes.Dims d = e.dims(x);
        long hwStatic = 1;
        for (int k = 2; d != null && k < d.rank(); k++) {
          hwStatic = d.perN()[k] ? -1 : hwStatic * d.dims()[k];
          if (hwStatic < 0) {
            break;
          }
        }
        if (d != null && d.rank() >= 2 && hwStatic > 0) {
          String scaled = e.node("Mul", s.g(), e.scalarLike(1.0 / hwStatic, x));
          s.setGrad(0, e.expandLike(scaled, s.out(0), x));
          return;
        }
        String hw = e.cast(e.node("ReduceProd", e.shapeFrom(x, 2), Attrs.intAttr("keepdims", 0)));
        s.setGrad(0, e.node("Expand", e.node("Div", s.g(), hw), e.shape(x)));
      }
    });
  }

  /** Recomputes the pooling with its Indices output and scatter-adds the gradient to the arg-max positions. */
  static final class MaxPoolRule extends ElementwiseRules.Unary {
    @Override
    public void check(NodeProto node) {
      if (Attrs.i(node, "storage_order", 0) != 0) {
        throw VjpRule.unsupported(node, "storage_order=1");
      }
      String autoPad = Attrs.s(node, "auto_pad", "NOTSET");
      if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
        throw VjpRule.unsupported(node, "auto_pad=" + autoPad + " (export with explicit pads)");
      }
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      List<String> outs = e.nodeN("MaxPool", List.of(s.in(0)), 2, s.node.getAttributeList().toArray(new ai.onnx.proto.OnnxMl.AttributeProto[0]));
      s.setGrad(0, e.scatterToFlat(s.g(), outs.get(1), s.in(0), true));
    }
  }

  /**
   * The adjoint of the window sum is a single-channel ConvTranspose with a kernel of ones (channels
   * folded into the batch); the gradient is first divided by each window's element count.
   */
  static final class AveragePoolRule extends ElementwiseRules.Unary {
    @Override
    public void check(NodeProto node) {
      if (Attrs.i(node, "ceil_mode", 0) != 0) {
        throw VjpRule.unsupported(node, "ceil_mode=1");
      }
      String autoPad = Attrs.s(node, "auto_pad", "NOTSET");
      if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
        throw VjpRule.unsupported(node, "auto_pad=" + autoPad + " (export with explicit pads)");
      }
      if (Attrs.ints(node, "dilations") != null) {
        for (long d : Attrs.ints(node, "dilations")) {
          if (d != 1) {
            throw VjpRule.unsupported(node, "dilations");
          }
        }
      }
    }

    @Override
    public void backward(BackwardStep s) {
      GradEmitter e = s.e;
      NodeProto n = s.node;
      String x = s.in(0);
      long[] kernel = Attrs.ints(n, "kernel_shape");
      int r = kernel.length;
      long[] strides = Attrs.ints(n, "strides");
      long[] pads = ConvRule.pads(n);
      long k = 1;
      for (long d : kernel) {
        k *= d;
      }
      boolean anyPad = Arrays.stream(pads).anyMatch(p -> p != 0);
      String g = s.g();
      String scaled;
      if (anyPad && Attrs.i(n, "count_include_pad", 0) == 0) {
        StaticShapes.Dims dx = e.dims(x);
        long[] spatial = dx == null ? null : new long[dx.rank()];
        for (int q = 0; spatial != null && q < dx.rank(); q++) {
          spatial[q] = q < 2 ? 1 : dx.perN()[q] ? -1 : dx.dims()[q];
          if (spatial[q] < 0) {
            spatial = null;
          }
        }
        String ones = e.node("ConstantOfShape", List.of(spatial != null ? e.ints(spatial)
            : e.node("Concat", List.of(e.ints(1, 1), e.shapeFrom(x, 2)), Attrs.intAttr("axis", 0))), e.valueAttr(1));
        List<ai.onnx.proto.OnnxMl.AttributeProto> attrs = new ArrayList<>();
        attrs.add(Attrs.intsAttr("kernel_shape", kernel));
        attrs.add(Attrs.intsAttr("pads", pads));
        if (strides != null) {
          attrs.add(Attrs.intsAttr("strides", strides));
        }
        attrs.add(Attrs.intAttr("count_include_pad", 1));
        String frac = e.node("AveragePool", List.of(ones), attrs.toArray(new ai.onnx.proto.OnnxMl.AttributeProto[0]));
        String count = e.node("Mul", frac, e.scalarLike(k, g));
        scaled = e.node("Div", g, count);
      } else {
        scaled = e.node("Mul", g, e.scalarLike(1.0 / k, g));
      }
      long[] foldShape = new long[r + 2];
      foldShape[0] = -1;
      foldShape[1] = 1;
      String folded = e.node("Reshape", scaled, e.ints(foldShape)); // [N*C, 1, o...]
      long[] dims = new long[r + 2];
      dims[0] = 1;
      dims[1] = 1;
      System.arraycopy(kernel, 0, dims, 2, r);
      float[] ones = new float[(int) k];
      Arrays.fill(ones, 1f);
      String w = e.floats(ones, dims);
      long[] outputPadding = ConvRule.staticOutputPadding(e, x, s.out(0), kernel, strides, null, pads);
      String gx;
      if (outputPadding != null) { // static sizes: the transposed convolution crops and extends itself
        List<ai.onnx.proto.OnnxMl.AttributeProto> ct = new ArrayList<>();
        if (strides != null) {
          ct.add(Attrs.intsAttr("strides", strides));
        }
        ct.add(Attrs.intsAttr("pads", pads.length == 0 ? new long[2 * r] : pads));
        ct.add(Attrs.intsAttr("output_padding", outputPadding));
        gx = e.node("ConvTranspose", List.of(folded, w), ct.toArray(new ai.onnx.proto.OnnxMl.AttributeProto[0]));
      } else {
        String full = strides == null
            ? e.node("ConvTranspose", List.of(folded, w))
            : e.node("ConvTranspose", List.of(folded, w), Attrs.intsAttr("strides", strides));
        gx = ConvRule.cropToInput(e, full, x, pads, strides);
      }
      s.setGrad(0, e.reshapeLike(gx, x));
    }
  }
}
