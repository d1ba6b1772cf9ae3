package io.maskserve.server.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.masks.RiseMasks;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Each method on tiny classifiers whose attributions are known in closed form. */
class AttributionMethodsTest {

  private static final int H = 6;
  private static final int W = 5;
  private static final int PLANE = H * W;
  private static final int CLASSES = 3;

  private static float[] random(int n, long seed, float lo, float hi) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextFloat();
    }
    return v;
  }

  private static final float[] WEIGHTS = random(CLASSES * 3 * PLANE, 1, -1f, 1f);
  private static final float[] BIAS = {0.3f, -0.2f, 0.1f};
  private static final float[] IMAGE = random(3 * PLANE, 2, -2f, 2f);

  private static AttributionModels.Setup linear() {
    return new AttributionModels.Setup(AttributionModels.linear(H, W, WEIGHTS, BIAS), H, W);
  }

  /** |W[target]| reduced over channels by max. */
  private static float[] maxAbsWeights(int target) {
    float[] expected = new float[PLANE];
    for (int p = 0; p < PLANE; p++) {
      for (int c = 0; c < 3; c++) {
        expected[p] = Math.max(expected[p], Math.abs(WEIGHTS[target * 3 * PLANE + c * PLANE + p]));
      }
    }
    return expected;
  }

  @Test
  void gradientOfALinearModelIsTheAbsoluteWeightsMaxedOverChannels() throws Exception {
    try (AttributionModels.Setup s = linear()) {
      for (int target = 0; target < CLASSES; target++) {
        assertArrayEquals(maxAbsWeights(target), new Gradient().saliency(s.runner, IMAGE, target), 0f);
      }
    }
  }

  @Test
  void smoothGradOfALinearModelEqualsTheGradient() throws Exception {
    // The gradient of a linear model does not depend on the input, so noise changes nothing; 50
    // copies in batches of 16 also exercise a partial last batch.
    try (AttributionModels.Setup s = linear()) {
      SmoothGrad sg = new SmoothGrad(50, 0.15f, 7L, 16);
      assertArrayEquals(maxAbsWeights(1), sg.saliency(s.runner, IMAGE, 1), 0f);
      assertEquals(0.15 * 4.0, sg.sigma(IMAGE), 0.01, "sigma is relative to max - min of the input (~4)");
    }
  }

  @Test
  void smoothGradNoiseIsReproducibleAndStandardNormal() {
    java.util.SplittableRandom a = new java.util.SplittableRandom(5);
    java.util.SplittableRandom b = new java.util.SplittableRandom(5);
    double sum = 0;
    double sq = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      double z = SmoothGrad.normal(a);
      assertEquals(z, SmoothGrad.normal(b));
      sum += z;
      sq += z * z;
    }
    assertEquals(0.0, sum / n, 0.03);
    assertEquals(1.0, sq / n, 0.03);
  }

  @Test
  void integratedGradientsOfALinearModelAreInputTimesWeightsAndComplete() throws Exception {
    try (AttributionModels.Setup s = linear()) {
      int target = 2;
      IntegratedGradients ig = new IntegratedGradients(50, 16);
      float[] a = ig.attributions(s.runner, IMAGE, target);
      double sum = 0;
      for (float v : a) {
        sum += v;
      }
      float[] lx = s.logits(IMAGE);
      float[] l0 = s.logits(new float[3 * PLANE]);
      assertEquals(lx[target] - l0[target], sum, 1e-4, "completeness: sum of attributions = logit(x) - logit(0)");
      float[] map = ig.saliency(s.runner, IMAGE, target);
      for (int p = 0; p < PLANE; p++) {
        double expected = 0;
        for (int c = 0; c < 3; c++) {
          int i = c * PLANE + p;
          expected += Math.abs(IMAGE[i] * WEIGHTS[target * 3 * PLANE + i]);
          assertEquals(IMAGE[i] * WEIGHTS[target * 3 * PLANE + i], a[i], 1e-5f);
        }
        assertEquals(expected, map[p], 1e-5, "pixel " + p);
      }
    }
  }

  @Test
  void integratedGradientsUseTheMidpointRule() throws Exception {
    // logit = sum(x^2) (a Mul of the input by itself) has gradient 2x: at alpha x the midpoints give
    // a = x * 2x * mean(alpha_k) = x^2 exactly, for any number of steps; a left or right Riemann sum
    // would be off by x^2/m.
    io.maskserve.zoo.onnx.OnnxGraphBuilder b = new io.maskserve.zoo.onnx.OnnxGraphBuilder("square");
    String x = b.floatInput("x", "N", 3, 2, 2);
    String sq = b.node("Mul", java.util.List.of(x, x));
    String flat = b.node("Flatten", java.util.List.of(sq), io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr("axis", 1));
    b.nodeTo("ReduceSum", java.util.List.of(flat, b.int64Initializer("axes", new long[] {1}, 1)), "logits",
        io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr("keepdims", 1));
    b.floatOutput("logits", "N", 1);
    byte[] onnx = b.toBytes(8, 17);
    float[] image = random(12, 3, -1f, 1f);
    try (AttributionModels.Setup s = new AttributionModels.Setup(onnx, 2, 2)) {
      float[] a = new IntegratedGradients(3, 2).attributions(s.runner, image, 0);
      for (int i = 0; i < 12; i++) {
        assertEquals(image[i] * image[i], a[i], 1e-6f);
      }
    }
  }

  @Test
  void gradCamOfASmallConvNetEqualsTheHandComputedMap() throws Exception {
    int h = 5;
    int w = 4;
    int k = 3;
    int classes = 2;
    float[] convW = random(k * 27, 11, -0.5f, 0.5f);
    float[] convB = {0.1f, -0.05f, 0.02f};
    float[] fc = {1.5f, -2f, 0.7f, -0.3f, 1.1f, 0.4f};
    float[] image = random(3 * h * w, 12, -1f, 1f);
    byte[] onnx = AttributionModels.convNet(h, w, convW, convB, fc, classes);
    // feat = Conv(x), logit t = sum_k fc[t,k] mean(relu(feat_k)).
    int cells = h * w;
    double[] feat = new double[k * cells];
    for (int f = 0; f < k; f++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double v = convB[f];
          for (int c = 0; c < 3; c++) {
            for (int dy = 0; dy < 3; dy++) {
              for (int dx = 0; dx < 3; dx++) {
                int yy = y + dy - 1;
                int xx = x + dx - 1;
                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                  v += convW[((f * 3 + c) * 3 + dy) * 3 + dx] * image[c * cells + yy * w + xx];
                }
              }
            }
          }
          feat[f * cells + y * w + x] = v;
        }
      }
    }
    try (AttributionModels.Setup s = new AttributionModels.Setup(onnx, h, w)) {
      for (int target = 0; target < classes; target++) {
        // d logit / d feat_k = fc[t,k] / cells where feat_k > 0; w_k its spatial mean.
        double[] cam = new double[cells];
        for (int f = 0; f < k; f++) {
          double wk = 0;
          for (int i = 0; i < cells; i++) {
            wk += feat[f * cells + i] > 0 ? fc[target * k + f] / cells : 0;
          }
          wk /= cells;
          for (int i = 0; i < cells; i++) {
            cam[i] += wk * feat[f * cells + i];
          }
        }
        float[] map = new GradCam(Optional.empty()).saliency(s.runner, image, target);
        float[] named = new GradCam(Optional.of("feat")).saliency(s.runner, image, target);
        double max = 0;
        for (int i = 0; i < cells; i++) {
          max = Math.max(max, Math.max(0, cam[i]));
        }
        assertTrue(max > 0, "a map with something to compare");
        for (int i = 0; i < cells; i++) {
          assertEquals(Math.max(0, cam[i]), map[i], 1e-5 * max, "target " + target + " pixel " + i);
          assertEquals(map[i], named[i], 0f);
        }
      }
    }
  }

  @Test
  void gradCamRejectsUnknownLayersNamingCandidatesAndNeedsAConvolution() throws Exception {
    byte[] onnx = AttributionModels.convNet(4, 4, random(54, 1, -1, 1), new float[2], random(4, 2, -1, 1), 2);
    try (AttributionModels.Setup s = new AttributionModels.Setup(onnx, 4, 4)) {
      AttributionException e = assertThrows(AttributionException.class,
          () -> new GradCam(Optional.of("nope")).saliency(s.runner, new float[48], 0));
      assertEquals(AttributionException.Reason.INVALID_ARGUMENT, e.reason());
      assertTrue(e.getMessage().contains("method_options.gradcam_layer 'nope'") && e.getMessage().contains("feat"),
          e.getMessage());
      // 2-D: not a feature map.
      assertThrows(AttributionException.class,
          () -> new GradCam(Optional.of("logits")).saliency(s.runner, new float[48], 0));
    }
    try (AttributionModels.Setup s = linear()) {
      AttributionException e = assertThrows(AttributionException.class,
          () -> new GradCam(Optional.empty()).saliency(s.runner, IMAGE, 0));
      assertEquals(AttributionException.Reason.FAILED_PRECONDITION, e.reason());
    }
  }

  @Test
  void anUndifferentiableClassifierIsAFailedPreconditionNamingOpAndNode() throws Exception {
    io.maskserve.zoo.onnx.OnnxGraphBuilder b = new io.maskserve.zoo.onnx.OnnxGraphBuilder("soft");
    String x = b.floatInput("x", "N", 3, 2, 2);
    String y = b.nodeTo("Softplus", java.util.List.of(x), "odd");
    String flat = b.node("Flatten", java.util.List.of(y), io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr("axis", 1));
    b.nodeTo("Gemm", java.util.List.of(flat, b.floatInitializer("W", new float[24], 2, 12)), "logits",
        io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr("transB", 1));
    b.floatOutput("logits", "N", 2);
    try (AttributionModels.Setup s = new AttributionModels.Setup(b.toBytes(8, 17), 2, 2)) {
      ZooException e = assertThrows(ZooException.class, () -> new Gradient().saliency(s.runner, new float[12], 0));
      assertEquals(ZooException.Reason.FAILED_PRECONDITION, e.reason());
      assertTrue(e.getMessage().contains("Softplus") && e.getMessage().contains("odd_node"), e.getMessage());
    }
  }

  /** 8x8 images, the classifier sees only the top-left 4x4 quadrant. */
  private static AttributionModels.Setup quadrant() {
    return new AttributionModels.Setup(AttributionModels.quadrant(8, 8, 4, 4f), 8, 8);
  }

  private static final float[] POSITIVE = random(3 * 64, 21, 0.5f, 1.5f);

  private static double mean(float[] map, int y0, int y1, int x0, int x1) {
    double s = 0;
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        s += map[y * 8 + x];
      }
    }
    return s / ((y1 - y0) * (x1 - x0));
  }

  private static float min(float[] map, int y0, int y1, int x0, int x1) {
    float m = Float.POSITIVE_INFINITY;
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        m = Math.min(m, map[y * 8 + x]);
      }
    }
    return m;
  }

  private static float max(float[] map, int y0, int y1, int x0, int x1) {
    return -min(negate(map), y0, y1, x0, x1);
  }

  private static float[] negate(float[] m) {
    float[] n = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      n[i] = -m[i];
    }
    return n;
  }

  @Test
  void riseIsHigherInsideTheQuadrantTheClassifierLooksAt() throws Exception {
    try (AttributionModels.Setup s = quadrant()) {
      float[] map = new Rise(2000, 4, 0.5f, 3L, 256).saliency(s.runner, POSITIVE, 0);
      assertTrue(mean(map, 0, 4, 0, 4) > mean(map, 4, 8, 4, 8) + 0.05,
          mean(map, 0, 4, 0, 4) + " vs " + mean(map, 4, 8, 4, 8));
      assertTrue(min(map, 0, 4, 0, 4) > max(map, 4, 8, 4, 8), "every quadrant pixel above every far pixel");
      assertArrayEquals(map, new Rise(2000, 4, 0.5f, 3L, 100).saliency(s.runner, POSITIVE, 0), 1e-6f,
          "the masks depend on the seed, not on the batch size");
    }
  }

  @Test
  void riseWithEveryCellKeptIsTheOriginalProbability() throws Exception {
    try (AttributionModels.Setup s = quadrant()) {
      float p = s.runner.probabilities(POSITIVE, 1, 0)[0];
      float[] map = new Rise(10, 4, 1f, 3L, 4).saliency(s.runner, POSITIVE, 0);
      for (float v : map) {
        assertEquals(p, v, 1e-6f);
      }
    }
  }

  @Test
  void riseMasksFollowTheReferenceConstruction() {
    // 8x8 input, s = 4: cells of 2, grids upsampled to 10x10 and cropped at a shift in [0,2).
    Rise rise = new Rise(200, 4, 0.5f, 9L, 1);
    RiseMasks g = rise.generator(8, 8);
    float[] m = new float[64];
    double sum = 0;
    for (int i = 0; i < 200; i++) {
      g.next(m, 0);
      for (float v : m) {
        assertTrue(v >= 0f && v <= 1f, "soft mask values in [0,1]");
        sum += v;
      }
    }
    assertEquals(0.5, sum / (200 * 64), 0.05, "mean mask value ~ p");
    // Same seed, same masks.
    RiseMasks g1 = rise.generator(8, 8);
    RiseMasks g2 = new Rise(3, 4, 0.5f, 9L, 2).generator(8, 8);
    float[] a = new float[64];
    float[] b = new float[64];
    g1.next(a, 0);
    g2.next(b, 0);
    assertArrayEquals(a, b, 0f);
  }

  @Test
  void occlusionIsPositiveInsideTheQuadrantAndZeroFarFromIt() throws Exception {
    try (AttributionModels.Setup s = quadrant()) {
      float[] map = new Occlusion(2, 1, 10).saliency(s.runner, POSITIVE, 0);
      assertTrue(min(map, 0, 4, 0, 4) > 1e-3, "hiding any quadrant pixel lowers p");
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          if (y >= 5 || x >= 5) {
            assertEquals(0f, map[y * 8 + x], 1e-6f, "no window covering (" + y + "," + x + ") touches the quadrant");
          }
        }
      }
    }
  }

  @Test
  void occlusionWindowsCoverEveryPixel() {
    assertArrayEquals(new int[] {0, 2, 4, 6}, Occlusion.origins(10, 4, 2));
    assertArrayEquals(new int[] {0, 3, 6, 7}, Occlusion.origins(10, 3, 3), "the last window is flush with the edge");
    assertArrayEquals(new int[] {0}, Occlusion.origins(5, 5, 1));
    assertEquals(15 * 15, Occlusion.windows(32, 32, 4, 2));
    assertEquals(4, Occlusion.defaultWindow(32, 32));
    assertEquals(28, Occlusion.defaultWindow(224, 224));
    assertEquals(2, Occlusion.defaultWindow(8, 8));
    assertEquals(1, Occlusion.defaultWindow(1, 5));
    assertEquals(2, Occlusion.defaultStride(4));
    assertEquals(1, Occlusion.defaultStride(1));
  }

  @Test
  void theRandomMapIsUniformReproducibleAndIndependentAcrossImagesAndSeeds() throws Exception {
    try (AttributionModels.Setup s = linear()) {
      float[] a = new RandomMap(3L).saliency(s.runner, IMAGE, 0);
      assertEquals(PLANE, a.length);
      assertArrayEquals(a, new RandomMap(3L).saliency(s.runner, IMAGE, 2), 0f, "same seed and image, any target");
      float[] other = IMAGE.clone();
      other[0] += 1f;
      assertTrue(!java.util.Arrays.equals(a, new RandomMap(3L).saliency(s.runner, other, 0)), "another image");
      assertTrue(!java.util.Arrays.equals(a, new RandomMap(4L).saliency(s.runner, IMAGE, 0)), "another seed");
    }
    // Uniform on [0,1): mean 1/2, variance 1/12, every decile about a tenth.
    float[] big = RandomMap.map(9L, IMAGE, 100_000);
    double sum = 0;
    double sq = 0;
    int[] deciles = new int[10];
    for (float v : big) {
      assertTrue(v >= 0f && v < 1f);
      sum += v;
      sq += (v - 0.5) * (v - 0.5);
      deciles[(int) (v * 10)]++;
    }
    assertEquals(0.5, sum / big.length, 0.005);
    assertEquals(1.0 / 12, sq / big.length, 0.002);
    for (int d : deciles) {
      assertEquals(10_000, d, 500);
    }
  }

  @Test
  void theDeadlineIsCheckedBetweenBatches() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    RuntimeException stop = new RuntimeException("deadline");
    AttributionRunner.Checkpoint checkpoint = stage -> {
      if (checks.incrementAndGet() == 3) {
        throw stop;
      }
    };
    try (AttributionModels.Setup s = new AttributionModels.Setup(AttributionModels.quadrant(8, 8, 4, 4f), 8, 8,
        checkpoint)) {
      assertEquals(stop, assertThrows(RuntimeException.class,
          () -> new Rise(500, 4, 0.5f, 1L, 64).saliency(s.runner, POSITIVE, 0)));
      assertEquals(3, checks.get(), "stopped before the third of eight batches");
    }
  }

  @Test
  void bilinearResizingUsesHalfPixelCentres() {
    // PyTorch: F.interpolate([[1,2],[3,4]], size=4, mode="bilinear", align_corners=False).
    float[] up = Saliency.bilinear(new float[] {1, 2, 3, 4}, 2, 2, 4, 4);
    assertArrayEquals(new float[] {
        1f, 1.25f, 1.75f, 2f,
        1.5f, 1.75f, 2.25f, 2.5f,
        2.5f, 2.75f, 3.25f, 3.5f,
        3f, 3.25f, 3.75f, 4f}, up, 1e-6f);
    float[] same = {5, -1, 2, 7, 0, 3};
    assertArrayEquals(same, Saliency.bilinear(same, 2, 3, 2, 3), 0f);
  }
}
