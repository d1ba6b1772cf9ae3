package io.maskserve.zoo.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.Preprocessor;
import io.maskserve.zoo.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The real ResNet-20 (CIFAR-10) and MobileNetV2 (ImageNet): directional derivatives of input_grad
 * agree with central finite differences on real images, in float32. Directions are unit vectors
 * halfway between the gradient and a random direction; eps = {@link #EPS}.
 */
class RealModelGradientTest {

  /**
   * Step along a unit direction, in normalised input units. Central differences converge to
   * {@code <input_grad, v>} as eps shrinks (resnet20, ship/0801: relative error 4e-2 at 1e-1, 1.3e-2
   * at 1e-2, 4e-4 at 1e-3 and 3e-4); below ~1e-4 float32 rounding dominates.
   */
  static final double EPS = 1e-3;

  static ModelProto load(Path p) throws Exception {
    return ModelProto.parseFrom(Files.readAllBytes(p));
  }

  static double[] image(Path file, InputSpec spec) {
    float[] f = new Preprocessor(spec).toTensor(ImageDecoder.decode(SharedData.bytes(file)));
    double[] d = new double[f.length];
    for (int k = 0; k < f.length; k++) {
      d[k] = f[k];
    }
    return d;
  }

  /** Checks a few directions on each image; returns the worst relative error. */
  static double check(ModelProto model, AutodiffOptions options, List<double[]> images, long[] shape,
      int directions, double eps, String label) throws Exception {
    ModelProto aug = Autodiff.augment(model, options);
    double worst = 0;
    Random rnd = new Random(7);
    try (GradCheck gc = new GradCheck(aug, shape, false, options.score())) {
      for (double[] x : images) {
        GradCheck.Run base = gc.run(x, new long[] {0});
        double[] logits = base.outputs().get(gc.logitsName);
        int top = 0;
        for (int c = 1; c < logits.length; c++) {
          top = logits[c] > logits[top] ? c : top;
        }
        long[] target = {top};
        double[] g = gc.run(x, target).grad();
        for (int d = 0; d < directions; d++) {
          // half along the gradient, half random: a single random direction in 3k-150k dimensions is nearly
          // orthogonal to the gradient, and its tiny directional derivative drowns in float32 rounding
          double[] v = GradCheck.mix(GradCheck.unit(g), GradCheck.gaussian(rnd, x.length));
          GradCheck.Directional r = gc.directional(x, target, v, eps, 1e-6);
          System.out.printf(Locale.ROOT, "%s %s target %d: fd %.6f ad %.6f rel %.2e%n", label, options.score(),
              top, r.fd(), r.ad(), r.relError());
          worst = Math.max(worst, r.relError());
        }
      }
    }
    return worst;
  }

  @Test
  void resnet20GradientMatchesFiniteDifferences() throws Exception {
    ModelProto model = load(SharedData.resnet20Onnx());
    List<double[]> images = List.of(
        image(SharedData.cifar10Image("cat", 800), SharedData.cifar10Input()),
        image(SharedData.cifar10Image("ship", 801), SharedData.cifar10Input()),
        image(SharedData.cifar10Image("truck", 900), SharedData.cifar10Input()));
    long[] shape = {1, 3, 32, 32};
    double logit = check(model, AutodiffOptions.logit(), images, shape, 2, EPS, "resnet20");
    double logSoftmax = check(model, new AutodiffOptions(AutodiffOptions.Score.LOG_SOFTMAX, List.of()), images, shape, 1,
        EPS, "resnet20");
    System.out.printf(Locale.ROOT, "resnet20 worst relative error: logit %.2e, log-softmax %.2e%n", logit, logSoftmax);
    assertTrue(logit < 1e-2, "logit relative error " + logit);
    assertTrue(logSoftmax < 1e-2, "log-softmax relative error " + logSoftmax);
  }

  @Test
  void resnet20LayerOutputsAndBatch() throws Exception {
    ModelProto model = load(SharedData.resnet20Onnx());
    String lastConv = null;
    for (var n : model.getGraph().getNodeList()) {
      if (n.getOpType().equals("Conv")) {
        lastConv = n.getOutput(0);
      }
    }
    ModelProto aug = Autodiff.augment(model, AutodiffOptions.logit().withLayers(List.of(lastConv)));
    List<String> outs = aug.getGraph().getOutputList().stream().map(v -> v.getName()).toList();
    assertEquals(List.of("logits", "input_grad", lastConv, lastConv + "_grad"), outs);
    assertEquals(List.of("input", "target"), aug.getGraph().getInputList().stream().map(v -> v.getName())
        .filter(n -> n.equals("input") || n.equals("target")).toList());
    // batch of 2 gives each sample the gradient it gets alone
    double[] a = image(SharedData.cifar10Image("cat", 800), SharedData.cifar10Input());
    double[] b = image(SharedData.cifar10Image("dog", 801), SharedData.cifar10Input());
    double[] ab = new double[a.length * 2];
    System.arraycopy(a, 0, ab, 0, a.length);
    System.arraycopy(b, 0, ab, a.length, b.length);
    double[] ga;
    double[] gb;
    double[] gab;
    try (GradCheck one = new GradCheck(aug, new long[] {1, 3, 32, 32}, false, AutodiffOptions.Score.LOGIT);
        GradCheck two = new GradCheck(aug, new long[] {2, 3, 32, 32}, false, AutodiffOptions.Score.LOGIT)) {
      ga = one.run(a, new long[] {3}).grad();
      gb = one.run(b, new long[] {5}).grad();
      GradCheck.Run r = two.run(ab, new long[] {3, 5});
      gab = r.grad();
      assertEquals(2 * 64 * 8 * 8, r.outputs().get(lastConv + "_grad").length);
    }
    double[] expected = new double[ab.length];
    System.arraycopy(ga, 0, expected, 0, ga.length);
    System.arraycopy(gb, 0, expected, ga.length, gb.length);
    assertArrayEquals(expected, gab, 1e-4);
  }

  @Test
  void mobilenetV2GradientMatchesFiniteDifferences() throws Exception {
    Path onnx = SharedData.root().resolve("models/mobilenet_v2-imagenet/model.onnx");
    ModelProto model = load(onnx);
    float m = 0.50196f;
    InputSpec spec = new InputSpec(224, 224, ResizeMode.RESIZE, new float[] {m, m, m}, new float[] {m, m, m});
    Path dir = SharedData.root().resolve("datasets/ilsvrc2012-val-1300/images");
    List<double[]> images = List.of(image(dir.resolve("ILSVRC2012_val_00000347.JPEG"), spec),
        image(dir.resolve("ILSVRC2012_val_00000355.JPEG"), spec));
    double worst = check(model, AutodiffOptions.logit(), images, new long[] {1, 3, 224, 224}, 2, EPS, "mobilenet_v2");
    System.out.printf(Locale.ROOT, "mobilenet_v2 worst relative error: %.2e%n", worst);
    assertTrue(worst < 1e-2, "relative error " + worst);
  }
}
