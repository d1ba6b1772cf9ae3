package io.maskserve.zoo.autodiff;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Static shape folding ({@link StaticShapes}): the folded augmented model keeps a dynamic batch and
 * gives the same input gradients as the fully dynamic form, at N = 1 and N = 3, on the real models;
 * the probe recognises batch-scaled dimensions and declines graphs it cannot fold.
 */
class StaticShapeFoldingTest {

  private static final Path MOBILENET = Path.of("models/mobilenet_v2-imagenet/model.onnx");

  /**
   * ||folded - dynamic|| / ||dynamic|| of the input gradients for random inputs at batch n. Not the
   * element-wise maximum: without the backward's Shape reads ONNX Runtime fuses MobileNet's Pad into
   * the next Conv, the forward rounds slightly differently, and a ReLU6 output at exactly 6 in one
   * form may be 5.9999995 in the other, flipping one mask element (seen: one sample of three,
   * max difference 0.4% of the largest gradient, the rest equal to 1e-6).
   */
  static double compare(ModelProto model, long[] sampleShape, int n) throws Exception {
    ModelProto folded = Autodiff.augment(model, AutodiffOptions.logit(), true);
    ModelProto dynamic = Autodiff.augment(model, AutodiffOptions.logit(), false);
    long[] shape = sampleShape.clone();
    shape[0] = n;
    int count = 1;
    for (long d : shape) {
      count *= (int) d;
    }
    double[] x = new double[count];
    Random rnd = new Random(11 + n);
    for (int k = 0; k < count; k++) {
      x[k] = rnd.nextGaussian();
    }
    long[] target = new long[n];
    for (int k = 0; k < n; k++) {
      target[k] = (3 * k + 1) % 10;
    }
    double[] a;
    double[] b;
    try (GradCheck f = new GradCheck(folded, shape, false, AutodiffOptions.Score.LOGIT);
        GradCheck d = new GradCheck(dynamic, shape, false, AutodiffOptions.Score.LOGIT)) {
      a = f.run(x, target).grad();
      b = d.run(x, target).grad();
    }
    assertEquals(b.length, a.length);
    double diff = 0;
    double norm = 0;
    for (int k = 0; k < a.length; k++) {
      diff += (a[k] - b[k]) * (a[k] - b[k]);
      norm += b[k] * b[k];
    }
    assertTrue(norm > 0, "zero gradient");
    return Math.sqrt(diff / norm);
  }

  private static long backwardOps(ModelProto m, String op) {
    return m.getGraph().getNodeList().stream().filter(n -> n.getName().startsWith("ad/") && n.getOpType().equals(op))
        .count();
  }

  @Test
  void resnet20FoldedEqualsDynamicAtBatchOneAndThree() throws Exception {
    ModelProto model = RealModelGradientTest.load(SharedData.resnet20Onnx());
    for (int n : new int[] {1, 3}) {
      double rel = compare(model, new long[] {1, 3, 32, 32}, n);
      System.out.printf(Locale.ROOT, "resnet20 N=%d folded vs dynamic: %.2e%n", n, rel);
      assertTrue(rel < 1e-5, "N=" + n + ": " + rel);
    }
    ModelProto folded = Autodiff.augment(model, AutodiffOptions.logit());
    ModelProto dynamic = Autodiff.augment(model, AutodiffOptions.logit(), false);
    // no shape arithmetic left in the backward pass: no Shape, NonZero, ScatterElements
    assertEquals(0, backwardOps(folded, "Shape"));
    assertEquals(0, backwardOps(folded, "NonZero"));
    assertEquals(0, backwardOps(folded, "ScatterElements"));
    assertTrue(backwardOps(dynamic, "Shape") > 10);
    assertTrue(folded.getGraph().getNodeCount() < dynamic.getGraph().getNodeCount() * 0.6,
        folded.getGraph().getNodeCount() + " vs " + dynamic.getGraph().getNodeCount());
  }

  @Test
  void mobilenetV2FoldedEqualsDynamicAtBatchOneAndThree() throws Exception {
    ModelProto model = RealModelGradientTest.load(SharedData.root().resolve(MOBILENET));
    for (int n : new int[] {1, 3}) {
      double rel = compare(model, new long[] {1, 3, 224, 224}, n);
      System.out.printf(Locale.ROOT, "mobilenet_v2 N=%d folded vs dynamic: %.2e%n", n, rel);
      assertTrue(rel < 1e-3, "N=" + n + ": " + rel);
    }
    ModelProto folded = Autodiff.augment(model, AutodiffOptions.logit());
    assertEquals(0, backwardOps(folded, "Shape"));
    // strided convolutions: one ConvTranspose each, cropping and extending by attributes
    for (NodeProto n : folded.getGraph().getNodeList()) {
      if (n.getOpType().equals("ConvTranspose")) {
        assertNotNull(Attrs.find(n, "output_padding"), n.getName());
      }
    }
  }

  @Test
  void probeFindsBatchScaledDimensions() throws Exception {
    ModelProto model = RealModelGradientTest.load(SharedData.resnet20Onnx());
    StaticShapes s = StaticShapes.probe(model, "input");
    StaticShapes.Dims in = s.get("input");
    assertArrayEquals(new long[] {1, 3, 32, 32}, in.dims());
    assertArrayEquals(new boolean[] {true, false, false, false}, in.perN());
    StaticShapes.Dims logits = s.get("logits");
    assertArrayEquals(new long[] {1, 10}, logits.dims());
    assertArrayEquals(new boolean[] {true, false}, logits.perN());
    // the option-A shortcut's pad vector is computed from constants: known by value
    String pads = model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Pad")).findFirst()
        .orElseThrow().getInput(1);
    assertNotNull(s.value(pads));
  }

  @Test
  void probeDeclinesUnknownSpatialSizesAndValueDependentShapes() throws Exception {
    OnnxGraphBuilder b = new OnnxGraphBuilder("c");
    String x = b.floatInput("x", "N", 3, "H", "W");
    String y = b.node("Relu", List.of(x));
    b.nodeTo("ReduceMean", List.of(y), "logits", ints("axes", 2, 3), intAttr("keepdims", 0));
    b.floatOutput("logits", "N", 3);
    ModelProto spatial = b.buildModel(8, 17);
    assertEquals(0, StaticShapes.probe(spatial, "x").size());
    assertNull(StaticShapes.probe(spatial, "x").get("logits"));

    OnnxGraphBuilder c = new OnnxGraphBuilder("c");
    String x2 = c.floatInput("x", "N", 4);
    String nz = c.node("NonZero", List.of(c.node("Greater", List.of(x2, c.floatScalar("z", 0f)))));
    String k = c.node("Cast", List.of(c.node("ReduceSum", List.of(nz), intAttr("keepdims", 0))),
        intAttr("to", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT.getNumber()));
    c.nodeTo("Mul", List.of(x2, k), "logits");
    c.floatOutput("logits", "N", 4);
    assertEquals(0, StaticShapes.probe(c.buildModel(8, 17), "x").size());
  }

  @Test
  void dynamicSpatialSizesStillDifferentiate() throws Exception {
    // H, W symbolic: no folding; the gradient is the dynamic one at two different image sizes
    ArchitectureGradientTest.Net net = new ArchitectureGradientTest.Net("dyn", 9);
    String x = net.b.floatInput("input", "N", 3, "H", "W");
    String h = net.relu(net.conv(x, 3, 8, 3, 2, 1, 1, true));
    h = net.b.node("Clip", List.of(net.conv(h, 8, 8, 3, 2, 1, 8, false), net.b.floatScalar("lo", 0f),
        net.b.floatScalar("hi", 6f)));
    ModelProto model = net.finish(net.gemm(net.gapFlatten(h), 8, 5), 5);
    for (int side : new int[] {9, 12}) {
      ModelProto folded = Autodiff.augment(model, AutodiffOptions.logit(), true);
      ModelProto dynamic = Autodiff.augment(model, AutodiffOptions.logit(), false);
      assertEquals(dynamic.getGraph().getNodeCount(), folded.getGraph().getNodeCount());
      double[] xs = GradCheck.gaussian(new Random(side), 2 * 3 * side * side);
      for (int k = 0; k < xs.length; k++) {
        xs[k] *= Math.sqrt(xs.length);
      }
      long[] shape = {2, 3, side, side};
      try (GradCheck gc = new GradCheck(folded, shape, false, AutodiffOptions.Score.LOGIT);
          GradCheck dc = new GradCheck(dynamic, shape, false, AutodiffOptions.Score.LOGIT)) {
        double[] g = gc.run(xs, new long[] {1, 2}).grad();
        assertArrayEquals(dc.run(xs, new long[] {1, 2}).grad(), g, 0);
        double[] v = GradCheck.mix(GradCheck.unit(g), GradCheck.gaussian(new Random(3), xs.length));
        GradCheck.Directional r = gc.directional(xs, new long[] {1, 2}, v, 1e-3, 1e-6);
        assertTrue(r.relError() < 1e-2, "side " + side + ": " + r.relError());
      }
    }
  }
}
