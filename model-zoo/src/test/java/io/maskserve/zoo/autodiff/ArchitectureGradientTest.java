package io.maskserve.zoo.autodiff;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.floatAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Small random-weight versions of the torchvision architectures, built as PyTorch's exporter writes
 * them (opset 17, same op patterns: Conv+BatchNormalization, MaxPool, Flatten+Gemm, HardSwish and
 * squeeze-excitation, SiLU as x*Sigmoid(x), DenseNet concatenation, SqueezeNet fire modules with a
 * ceil_mode MaxPool, a ViT encoder with LayerNormalization, MatMul attention, Softmax and the Erf
 * form of GELU). Each is augmented and input_grad checked against central finite differences in
 * float32 (directions halfway between the gradient and a random unit vector, eps 1e-3, relative
 * error < 1e-2).
 */
class ArchitectureGradientTest {

  /** Builds layers with random (He-scaled) weights. */
  static final class Net {
    final OnnxGraphBuilder b;
    final Random rnd;
    int counter;

    Net(String name, long seed) {
      b = new OnnxGraphBuilder(name);
      rnd = new Random(seed);
    }

    String w(double std, long... dims) {
      int n = 1;
      for (long d : dims) {
        n *= (int) d;
      }
      float[] v = new float[n];
      for (int k = 0; k < n; k++) {
        v[k] = (float) (std * rnd.nextGaussian());
      }
      return b.floatInitializer("w" + counter++, v, dims);
    }

    String positive(int n) {
      float[] v = new float[n];
      for (int k = 0; k < n; k++) {
        v[k] = (float) (0.5 + rnd.nextDouble());
      }
      return b.floatInitializer("p" + counter++, v, n);
    }

    String conv(String x, int cin, int cout, int k, int stride, int pad, int groups, boolean bias) {
      String wt = w(Math.sqrt(2.0 / (cin / groups * k * k)), cout, cin / groups, k, k);
      List<String> in = bias ? List.of(x, wt, w(0.1, cout)) : List.of(x, wt);
      return b.node("Conv", in, ints("kernel_shape", k, k), ints("strides", stride, stride),
          ints("pads", pad, pad, pad, pad), intAttr("group", groups), ints("dilations", 1, 1));
    }

    String bn(String x, int c) {
      return b.node("BatchNormalization", List.of(x, positive(c), w(0.1, c), w(0.1, c), positive(c)),
          floatAttr("epsilon", 1e-5f));
    }

    String relu(String x) {
      return b.node("Relu", List.of(x));
    }

    String gemm(String x, int in, int out) {
      return b.node("Gemm", List.of(x, w(Math.sqrt(1.0 / in), out, in), w(0.1, out)), intAttr("transB", 1));
    }

    String gapFlatten(String x) {
      return b.node("Flatten", List.of(b.node("GlobalAveragePool", List.of(x))), intAttr("axis", 1));
    }

    String se(String x, int c, int squeeze, String gate) {
      String s = b.node("GlobalAveragePool", List.of(x));
      s = relu(conv(s, c, squeeze, 1, 1, 0, 1, true));
      s = conv(s, squeeze, c, 1, 1, 0, 1, true);
      s = gate.equals("HardSigmoid")
          ? b.node("HardSigmoid", List.of(s), floatAttr("alpha", 1f / 6f), floatAttr("beta", 0.5f))
          : b.node(gate, List.of(s));
      return b.node("Mul", List.of(s, x));
    }

    String silu(String x) {
      return b.node("Mul", List.of(x, b.node("Sigmoid", List.of(x))));
    }

    ModelProto finish(String logits, int classes) {
      b.nodeTo("Identity", List.of(logits), "logits");
      b.floatOutput("logits", "N", classes);
      return b.buildModel(8, 17);
    }
  }

  static void check(String name, ModelProto model, int side) throws Exception {
    ModelProto aug = Autodiff.augment(model, AutodiffOptions.logit());
    Random rnd = new Random(3);
    long[] shape = {2, 3, side, side};
    double[] x = GradCheck.gaussian(rnd, 2 * 3 * side * side);
    for (int k = 0; k < x.length; k++) {
      x[k] *= Math.sqrt(x.length);
    }
    double worst = 0;
    try (GradCheck gc = new GradCheck(aug, shape, false, AutodiffOptions.Score.LOGIT)) {
      long[] target = {1, 2};
      double[] g = gc.run(x, target).grad();
      for (int d = 0; d < 2; d++) {
        double[] v = GradCheck.mix(GradCheck.unit(g), GradCheck.gaussian(rnd, x.length));
        GradCheck.Directional r = gc.directional(x, target, v, 1e-3, 1e-6);
        worst = Math.max(worst, r.relError());
        System.out.printf(Locale.ROOT, "%s: fd %.6f ad %.6f rel %.2e%n", name, r.fd(), r.ad(), r.relError());
      }
    }
    assertTrue(worst < 1e-2, name + ": relative error " + worst);
  }

  @Test
  void vgg() throws Exception {
    Net n = new Net("vgg", 1);
    String x = n.b.floatInput("input", "N", 3, 16, 16);
    String h = n.relu(n.conv(x, 3, 8, 3, 1, 1, 1, true));
    h = n.b.node("MaxPool", List.of(h), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
    h = n.relu(n.conv(h, 8, 8, 3, 1, 1, 1, true));
    h = n.b.node("MaxPool", List.of(h), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
    h = n.b.node("Flatten", List.of(h), intAttr("axis", 1));
    h = n.b.node("Dropout", List.of(n.relu(n.gemm(h, 8 * 4 * 4, 16))));
    check("VGG", n.finish(n.gemm(h, 16, 5), 5), 16);
  }

  @Test
  void resnetImageNet() throws Exception {
    Net n = new Net("resnet", 2);
    String x = n.b.floatInput("input", "N", 3, 32, 32);
    String h = n.relu(n.bn(n.conv(x, 3, 8, 7, 2, 3, 1, false), 8));
    h = n.b.node("MaxPool", List.of(h), ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1));
    String r = n.relu(n.bn(n.conv(h, 8, 8, 3, 1, 1, 1, false), 8));
    r = n.bn(n.conv(r, 8, 8, 3, 1, 1, 1, false), 8);
    h = n.relu(n.b.node("Add", List.of(r, h)));
    String down = n.bn(n.conv(h, 8, 16, 1, 2, 0, 1, false), 16);
    r = n.relu(n.bn(n.conv(h, 8, 16, 3, 2, 1, 1, false), 16));
    r = n.bn(n.conv(r, 16, 16, 3, 1, 1, 1, false), 16);
    h = n.relu(n.b.node("Add", List.of(r, down)));
    check("ResNet (ImageNet blocks)", n.finish(n.gemm(n.gapFlatten(h), 16, 5), 5), 32);
  }

  @Test
  void mobilenetV3() throws Exception {
    Net n = new Net("mobilenet_v3", 3);
    String x = n.b.floatInput("input", "N", 3, 16, 16);
    String h = n.b.node("HardSwish", List.of(n.bn(n.conv(x, 3, 8, 3, 2, 1, 1, false), 8)));
    String e = n.b.node("HardSwish", List.of(n.bn(n.conv(h, 8, 16, 1, 1, 0, 1, false), 16)));
    e = n.b.node("HardSwish", List.of(n.bn(n.conv(e, 16, 16, 3, 1, 1, 16, false), 16)));
    e = n.se(e, 16, 4, "HardSigmoid");
    e = n.bn(n.conv(e, 16, 8, 1, 1, 0, 1, false), 8);
    h = n.b.node("Add", List.of(e, h));
    String f = n.b.node("HardSwish", List.of(n.gemm(n.gapFlatten(h), 8, 12)));
    check("MobileNetV3", n.finish(n.gemm(n.b.node("Dropout", List.of(f)), 12, 5), 5), 16);
  }

  @Test
  void mobilenetV2AndEfficientNet() throws Exception {
    Net n = new Net("efficientnet_b0", 4);
    String x = n.b.floatInput("input", "N", 3, 16, 16);
    String h = n.silu(n.bn(n.conv(x, 3, 8, 3, 2, 1, 1, false), 8));
    String e = n.silu(n.bn(n.conv(h, 8, 24, 1, 1, 0, 1, false), 24));
    e = n.silu(n.bn(n.conv(e, 24, 24, 5, 1, 2, 24, false), 24));
    e = n.se(e, 24, 6, "Sigmoid");
    e = n.bn(n.conv(e, 24, 8, 1, 1, 0, 1, false), 8);
    h = n.b.node("Add", List.of(e, h));
    // MobileNetV2 block: ReLU6 as Clip(0, 6), strided depthwise
    String m = n.b.node("Clip", List.of(n.bn(n.conv(h, 8, 16, 1, 1, 0, 1, false), 16), n.b.floatScalar("lo", 0f),
        n.b.floatScalar("hi", 6f)));
    m = n.b.node("Clip", List.of(n.bn(n.conv(m, 16, 16, 3, 2, 1, 16, false), 16), "lo", "hi"));
    m = n.bn(n.conv(m, 16, 12, 1, 1, 0, 1, false), 12);
    check("EfficientNet-B0 / MobileNetV2 blocks", n.finish(n.gemm(n.gapFlatten(m), 12, 5), 5), 16);
  }

  @Test
  void densenet() throws Exception {
    Net n = new Net("densenet", 5);
    String x = n.b.floatInput("input", "N", 3, 16, 16);
    String h = n.conv(x, 3, 8, 3, 1, 1, 1, false);
    int c = 8;
    for (int layer = 0; layer < 2; layer++) {
      String l = n.conv(n.relu(n.bn(h, c)), c, 16, 1, 1, 0, 1, false);
      l = n.conv(n.relu(n.bn(l, 16)), 16, 4, 3, 1, 1, 1, false);
      h = n.b.node("Concat", List.of(h, l), intAttr("axis", 1));
      c += 4;
    }
    h = n.conv(n.relu(n.bn(h, c)), c, 8, 1, 1, 0, 1, false);
    h = n.b.node("AveragePool", List.of(h), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
    h = n.relu(n.bn(h, 8));
    check("DenseNet", n.finish(n.gemm(n.gapFlatten(h), 8, 5), 5), 16);
  }

  @Test
  void squeezenet() throws Exception {
    Net n = new Net("squeezenet", 6);
    String x = n.b.floatInput("input", "N", 3, 17, 17);
    String h = n.relu(n.conv(x, 3, 8, 3, 2, 0, 1, true));
    h = n.b.node("MaxPool", List.of(h), ints("kernel_shape", 3, 3), ints("strides", 2, 2), intAttr("ceil_mode", 1));
    String s = n.relu(n.conv(h, 8, 4, 1, 1, 0, 1, true));
    String e1 = n.relu(n.conv(s, 4, 8, 1, 1, 0, 1, true));
    String e3 = n.relu(n.conv(s, 4, 8, 3, 1, 1, 1, true));
    h = n.b.node("Concat", List.of(e1, e3), intAttr("axis", 1));
    h = n.relu(n.conv(n.b.node("Dropout", List.of(h)), 16, 5, 1, 1, 0, 1, true));
    check("SqueezeNet", n.finish(n.gapFlatten(h), 5), 17);
  }

  @Test
  void vit() throws Exception {
    Net n = new Net("vit", 7);
    int d = 8;
    int heads = 2;
    int dh = d / heads;
    int tokens = 17;
    OnnxGraphBuilder b = n.b;
    String x = b.floatInput("input", "N", 3, 16, 16);
    String p = n.conv(x, 3, d, 4, 4, 0, 1, true); // [N, D, 4, 4]
    String batch = b.node("Gather", List.of(b.node("Shape", List.of(p)), b.int64Initializer("i0", new long[] {0}, 1)),
        intAttr("axis", 0));
    String seqShape = b.node("Concat", List.of(batch, b.int64Initializer("dseq", new long[] {d, -1}, 2)), intAttr("axis", 0));
    String seq = b.node("Transpose", List.of(b.node("Reshape", List.of(p, seqShape))), ints("perm", 0, 2, 1)); // [N,16,D]
    String clsShape = b.node("Concat", List.of(batch, b.int64Initializer("one_d", new long[] {1, d}, 2)), intAttr("axis", 0));
    String cls = b.node("Expand", List.of(n.w(0.5, 1, 1, d), clsShape));
    String h = b.node("Add", List.of(b.node("Concat", List.of(cls, seq), intAttr("axis", 1)), n.w(0.5, 1, tokens, d)));
    // encoder block
    String ln1 = b.node("LayerNormalization", List.of(h, n.positive(d), n.w(0.1, d)), intAttr("axis", -1),
        floatAttr("epsilon", 1e-6f));
    String[] qkv = new String[3];
    for (int k = 0; k < 3; k++) {
      String lin = b.node("Add", List.of(b.node("MatMul", List.of(ln1, n.w(Math.sqrt(1.0 / d), d, d))), n.w(0.1, d)));
      String r = b.node("Reshape", List.of(lin, b.int64Initializer("hs" + k, new long[] {0, tokens, heads, dh}, 4)));
      qkv[k] = b.node("Transpose", List.of(r), ints("perm", 0, 2, 1, 3)); // [N,H,T,dh]
    }
    String kt = b.node("Transpose", List.of(qkv[1]), ints("perm", 0, 1, 3, 2));
    String scores = b.node("Mul", List.of(b.node("MatMul", List.of(qkv[0], kt)), b.floatScalar("scale", (float) (1 / Math.sqrt(dh)))));
    String att = b.node("MatMul", List.of(b.node("Softmax", List.of(scores), intAttr("axis", -1)), qkv[2]));
    String merged = b.node("Reshape", List.of(b.node("Transpose", List.of(att), ints("perm", 0, 2, 1, 3)),
        b.int64Initializer("ms", new long[] {0, tokens, d}, 3)));
    String proj = b.node("Add", List.of(b.node("MatMul", List.of(merged, n.w(Math.sqrt(1.0 / d), d, d))), n.w(0.1, d)));
    h = b.node("Add", List.of(h, proj));
    String ln2 = b.node("LayerNormalization", List.of(h, n.positive(d), n.w(0.1, d)), floatAttr("epsilon", 1e-6f));
    String mlp = b.node("Add", List.of(b.node("MatMul", List.of(ln2, n.w(Math.sqrt(1.0 / d), d, 2 * d))), n.w(0.1, 2 * d)));
    String erf = b.node("Erf", List.of(b.node("Div", List.of(mlp, b.floatScalar("sqrt2", (float) Math.sqrt(2))))));
    String gelu = b.node("Mul", List.of(b.node("Mul", List.of(mlp, b.node("Add", List.of(erf, b.floatScalar("one", 1f))))),
        b.floatScalar("half", 0.5f)));
    mlp = b.node("Add", List.of(b.node("MatMul", List.of(gelu, n.w(Math.sqrt(1.0 / (2 * d)), 2 * d, d))), n.w(0.1, d)));
    h = b.node("Add", List.of(h, mlp));
    h = b.node("LayerNormalization", List.of(h, n.positive(d), n.w(0.1, d)), floatAttr("epsilon", 1e-6f));
    String clsOut = b.node("Gather", List.of(h, b.int64Initializer("i_cls", new long[] {0})), intAttr("axis", 1));
    check("ViT-B/16 (one block)", n.finish(n.gemm(clsOut, d, 5), 5), 16);
  }
}
