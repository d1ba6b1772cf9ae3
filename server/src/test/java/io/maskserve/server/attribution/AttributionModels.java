package io.maskserve.server.attribution;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.maskserve.server.registry.GradientModels;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * Tiny classifiers with known attributions, and runners over them: everything a method test
 * needs, without a zoo or a server. Close the {@link Setup} after use.
 */
final class AttributionModels {

  static final SessionFactory SESSIONS = new SessionFactory(OrtEnvironment.getEnvironment(), Device.CPU, 1, 1);

  private AttributionModels() {}

  /**
   * {@code x [N,3,h,w] -> Flatten -> Gemm(W [classes, 3hw], transB) + b -> logits}: logit k =
   * W[k] . x + b[k], so d logit k / d x = W[k] everywhere.
   */
  static byte[] linear(int h, int w, float[] weights, float[] bias) {
    int classes = bias.length;
    OnnxGraphBuilder b = new OnnxGraphBuilder("linear");
    String x = b.floatInput("x", "N", 3, h, w);
    String flat = b.node("Flatten", List.of(x), intAttr("axis", 1));
    b.nodeTo("Gemm", List.of(flat, b.floatInitializer("W", weights, classes, 3L * h * w),
        b.floatInitializer("b", bias, classes)), "logits", intAttr("transB", 1));
    b.floatOutput("logits", "N", classes);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /**
   * A 2-class linear classifier that only looks at the top-left {@code q x q} quadrant: logit 0 =
   * {@code scale} * the mean of the quadrant over the channels, logit 1 = 0.
   */
  static byte[] quadrant(int h, int w, int q, float scale) {
    int plane = h * w;
    float[] weights = new float[2 * 3 * plane];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < q; y++) {
        for (int x = 0; x < q; x++) {
          weights[c * plane + y * w + x] = scale / (3f * q * q);
        }
      }
    }
    return linear(h, w, weights, new float[2]);
  }

  /**
   * {@code x [N,3,h,w] -> Conv "feat" (K filters 3x3, pad 1, bias) -> Relu -> GlobalAveragePool ->
   * Flatten -> Gemm(fc [classes,K], transB) -> logits}.
   */
  static byte[] convNet(int h, int w, float[] convW, float[] convB, float[] fc, int classes) {
    int k = convB.length;
    OnnxGraphBuilder b = new OnnxGraphBuilder("convnet");
    String x = b.floatInput("x", "N", 3, h, w);
    String feat = b.nodeTo("Conv", List.of(x, b.floatInitializer("cw", convW, k, 3, 3, 3),
        b.floatInitializer("cb", convB, k)), "feat", ints("pads", 1, 1, 1, 1));
    String relu = b.node("Relu", List.of(feat));
    String gap = b.node("GlobalAveragePool", List.of(relu));
    String flat = b.node("Flatten", List.of(gap), intAttr("axis", 1));
    b.nodeTo("Gemm", List.of(flat, b.floatInitializer("fc", fc, classes, k)), "logits", intAttr("transB", 1));
    b.floatOutput("logits", "N", classes);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /** A classifier, its in-memory gradient models and a runner over both. */
  static final class Setup implements AutoCloseable {
    final OnnxModel classifier;
    final GradientModels gradients;
    final AttributionRunner runner;

    Setup(byte[] onnx, int h, int w, AttributionRunner.Checkpoint checkpoint) {
      try {
        classifier = new OnnxModel(SESSIONS.environment(), SESSIONS.open(onnx));
      } catch (OrtException e) {
        throw new IllegalStateException(e);
      }
      gradients = GradientModels.inMemory("test", onnx, SESSIONS);
      runner = new AttributionRunner(classifier, gradients, h, w, checkpoint);
    }

    Setup(byte[] onnx, int h, int w) {
      this(onnx, h, w, stage -> {});
    }

    /** The classifier's logits for one image. */
    float[] logits(float[] image) {
      return runner.logits(image, 1);
    }

    @Override
    public void close() throws OrtException {
      gradients.close();
      classifier.close();
    }
  }
}
