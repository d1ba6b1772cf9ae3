package io.maskserve.trainer.metrics;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * A toy classifier for hand-computed metric values: {@code [N,3,S,S] -> [N,C]}, logit {@code c} the
 * mean over the three channels of the pixels of one quadrant of the image (0 = top-left, 1 =
 * top-right, 2 = bottom-left, 3 = bottom-right), or the constant 0 for quadrant -1. Built as
 * Flatten + Gemm with {@link OnnxGraphBuilder}.
 */
final class QuadrantClassifier {

  private QuadrantClassifier() {}

  /** The classifier; {@code quadrants[c]} is class c's quadrant (-1: logit 0). */
  static OrtClassifier create(int side, int... quadrants) throws OrtException {
    int half = side / 2;
    int inputs = 3 * side * side;
    int classes = quadrants.length;
    float[] weights = new float[inputs * classes];
    for (int k = 0; k < classes; k++) {
      int q = quadrants[k];
      if (q < 0) {
        continue;
      }
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            int quadrant = (y < half ? 0 : 2) + (x < half ? 0 : 1);
            if (quadrant == q) {
              weights[(c * side * side + y * side + x) * classes + k] = 1f / (3 * half * half);
            }
          }
        }
      }
    }
    OnnxGraphBuilder b = new OnnxGraphBuilder("quadrants");
    String x = b.floatInput("input", "N", 3, side, side);
    String flat = b.node("Flatten", List.of(x), OnnxGraphBuilder.intAttr("axis", 1));
    String w = b.floatInitializer("w", weights, inputs, classes);
    String bias = b.floatInitializer("b", new float[classes], classes);
    b.nodeTo("Gemm", List.of(flat, w, bias), "logits");
    b.floatOutput("logits", "N", classes);
    byte[] onnx = b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
    return new OrtClassifier(OrtEnvironment.getEnvironment(), onnx, side, side, 1, 64);
  }

  /** An {@code [3,S,S]} image with {@code value} in every channel of quadrant {@code q}, 0 elsewhere. */
  static float[] quadrantImage(int side, int q, float value) {
    float[] img = new float[3 * side * side];
    int half = side / 2;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          if ((y < half ? 0 : 2) + (x < half ? 0 : 1) == q) {
            img[c * side * side + y * side + x] = value;
          }
        }
      }
    }
    return img;
  }

  /** A row-major {@code S x S} map (or mask) that is set on quadrant {@code q}. */
  static boolean[] quadrantMask(int side, int q) {
    boolean[] m = new boolean[side * side];
    int half = side / 2;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        m[y * side + x] = (y < half ? 0 : 2) + (x < half ? 0 : 1) == q;
      }
    }
    return m;
  }

  static float sigmoid(double z) {
    return (float) (1 / (1 + Math.exp(-z)));
  }
}
