package io.maskserve.zoo.testing;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;

import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import java.util.Arrays;
import java.util.List;

/** Tiny ONNX models, valid and deliberately broken, for tests. */
public final class TestOnnxModels {

  private TestOnnxModels() {}

  /**
   * A classifier {@code x [N,3,h,w] -> ReduceMean(H,W) [N,3] -> MatMul [3,classes] -> [N,classes]}.
   *
   * @param batchDim {@code "N"} for a dynamic batch, or an Integer for a fixed one
   */
  public static byte[] classifier(int h, int w, int classes, Object batchDim) {
    OnnxGraphBuilder b = new OnnxGraphBuilder("tiny_classifier");
    String x = b.floatInput("x", batchDim, 3, h, w);
    String pooled = b.node("ReduceMean", List.of(x), ints("axes", 2, 3), intAttr("keepdims", 0));
    float[] weights = new float[3 * classes];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (i % 7) * 0.1f - 0.3f;
    }
    b.nodeTo("MatMul", List.of(pooled, b.floatInitializer("w", weights, 3, classes)), "logits");
    b.floatOutput("logits", batchDim, classes);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /**
   * A generator {@code x [N,3,h,w] -> ReduceMean(C) -> AveragePool(kernel=stride=k) -> Sigmoid ->
   * Mul(scale) -> [N,1,h/k,w/k]}. With {@code scale > 1} values leave [0,1]; with a {@code k} that
   * does not divide {@code h} the output size does not divide the input.
   */
  public static byte[] generator(int h, int w, int k, float scale) {
    OnnxGraphBuilder b = new OnnxGraphBuilder("tiny_generator");
    String x = b.floatInput("image", "N", 3, h, w);
    String mean = b.node("ReduceMean", List.of(x), ints("axes", 1), intAttr("keepdims", 1));
    String pooled = b.node("AveragePool", List.of(mean), ints("kernel_shape", k, k), ints("strides", k, k));
    String sig = b.node("Sigmoid", List.of(pooled));
    b.nodeTo("Mul", List.of(sig, b.floatScalar("scale", scale)), "keep_prob");
    b.floatOutput("keep_prob");
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /** A generator whose output is {@code [N,h,w]} (rank 3, channel squeezed). */
  public static byte[] generatorRank3(int h, int w) {
    OnnxGraphBuilder b = new OnnxGraphBuilder("rank3_generator");
    String x = b.floatInput("image", "N", 3, h, w);
    String mean = b.node("ReduceMean", List.of(x), ints("axes", 1), intAttr("keepdims", 0));
    b.nodeTo("Sigmoid", List.of(mean), "keep_prob");
    b.floatOutput("keep_prob", "N", h, w);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /** Bytes that are certainly not an ONNX model. */
  public static byte[] notOnnx() {
    byte[] b = "this is not an onnx model, just some text\n".repeat(20).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Arrays.copyOf(b, b.length);
  }
}
