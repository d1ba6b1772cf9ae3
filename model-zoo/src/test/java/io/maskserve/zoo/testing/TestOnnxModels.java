package io.maskserve.zoo.testing;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;

import ai.onnx.proto.OnnxMl.TensorProto;
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

  /** How {@link #conditionalGenerator} declares its class input: valid, or broken in one way. */
  public enum TargetInput {
    /** int64 {@code target [N]}: a valid class-conditional generator. */
    VALID,
    /** float32 {@code target [N]} (cast to int64 inside the graph): wrong type. */
    FLOAT,
    /** int64 {@code target [N,1]}: wrong rank. */
    RANK_2,
    /** int64 {@code label [N]}: right type, wrong name. */
    MISNAMED,
    /** A valid {@code target} plus a third input {@code extra [N,1,1,1]}. */
    EXTRA_INPUT
  }

  /**
   * The keep probability that {@link #conditionalGenerator} gives, for class {@code target}, to the
   * output cell {@code cell} (row-major in the {@code h/k x w/k} map): 0.9 on the cells {@code i}
   * with {@code i % classes == target}, 0.1 elsewhere, so each class lights up its own cells.
   */
  public static float conditionalKeep(int target, int cell, int classes) {
    return cell % classes == target ? 0.9f : 0.1f;
  }

  /** A valid class-conditional generator; see {@link #conditionalGenerator(int, int, int, int, TargetInput)}. */
  public static byte[] conditionalGenerator(int h, int w, int k, int classes) {
    return conditionalGenerator(h, w, k, classes, TargetInput.VALID);
  }

  /**
   * A class-conditional generator {@code (image [N,3,h,w], target [N]) -> [N,1,h/k,w/k]}: {@code
   * Clip(Gather(table [classes,1,h/k,w/k], target) + 0 * ReduceMean(image), 0, 1)}, the table
   * holding {@link #conditionalKeep}. The image term keeps the image an input the output depends
   * on, as in a real generator. A target {@code >= classes} makes Gather fail at run time.
   */
  public static byte[] conditionalGenerator(int h, int w, int k, int classes, TargetInput variant) {
    int mh = h / k;
    int mw = w / k;
    OnnxGraphBuilder b = new OnnxGraphBuilder("conditional_generator");
    String x = b.floatInput("image", "N", 3, h, w);
    String index = switch (variant) {
      case VALID, EXTRA_INPUT -> b.int64Input("target", "N");
      case FLOAT -> b.node("Cast", List.of(b.floatInput("target", "N")),
          intAttr("to", TensorProto.DataType.INT64.getNumber()));
      case RANK_2 -> b.int64Input("target", "N", 1);
      case MISNAMED -> b.int64Input("label", "N");
    };
    float[] table = new float[classes * mh * mw];
    for (int c = 0; c < classes; c++) {
      for (int i = 0; i < mh * mw; i++) {
        table[c * mh * mw + i] = conditionalKeep(c, i, classes);
      }
    }
    String rows = b.node("Gather", List.of(b.floatInitializer("table", table, classes, 1, mh, mw), index),
        intAttr("axis", 0));
    String mean = b.node("ReduceMean", List.of(x), ints("axes", 1, 2, 3), intAttr("keepdims", 1));
    String sum = b.node("Add", List.of(rows, b.node("Mul", List.of(mean, b.floatScalar("zero", 0f)))));
    if (variant == TargetInput.EXTRA_INPUT) {
      String extra = b.floatInput("extra", "N", 1, 1, 1);
      sum = b.node("Add", List.of(sum, b.node("Mul", List.of(extra, b.floatScalar("zero_extra", 0f)))));
    }
    b.nodeTo("Clip", List.of(sum, b.floatScalar("lo", 0f), b.floatScalar("hi", 1f)), "keep_prob");
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
