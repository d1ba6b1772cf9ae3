package io.maskserve.zoo.onnx;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;

import io.maskserve.zoo.InputSpec;
import java.util.List;
import java.util.Objects;

/**
 * Fixed-weight (untrained) generators. They follow the generator contract of the zoo, so they can
 * be registered, served and tested end to end before a trained generator exists, but they explain
 * nothing about any classifier.
 */
public final class ReferenceGenerators {

  /** Name of the generators' input. */
  public static final String INPUT_NAME = "image";

  /** Name of the generators' output. */
  public static final String OUTPUT_NAME = "keep_prob";

  /** Slope {@code a} of the final {@code Sigmoid(a * (v - b))} of {@link #contrastGenerator}. */
  public static final float CONTRAST_SLOPE = 6f;

  /** Offset {@code b} of the final {@code Sigmoid(a * (v - b))} of {@link #contrastGenerator}. */
  public static final float CONTRAST_OFFSET = 0.75f;

  private ReferenceGenerators() {}

  /**
   * A "local contrast" generator: keep probability is high where the normalised image is far from
   * the dataset mean in a 15x15 neighbourhood.
   *
   * <p>Graph (opset 17, IR 8): input {@code image} float {@code [N,3,H,W]} (N dynamic) → Abs →
   * ReduceMean over channels → AveragePool 15x15 stride 1 pad 7 ({@code count_include_pad=0}) →
   * when the output is coarser, AveragePool with kernel = stride = {@code H/outputHeight x
   * W/outputWidth} → {@code Sigmoid(a * (v - b))} with {@code a =} {@value #CONTRAST_SLOPE}, {@code
   * b =} {@value #CONTRAST_OFFSET} → output {@code keep_prob} float {@code [N,1,outputHeight,
   * outputWidth]} in [0,1].
   *
   * @param input the classifier input the generator is for (its height and width are used)
   * @param outputHeight height of the output map; must divide {@code input.height()}
   * @param outputWidth width of the output map; must divide {@code input.width()}
   * @return the serialized ONNX model
   * @throws IllegalArgumentException if the output size does not divide the input size
   */
  public static byte[] contrastGenerator(InputSpec input, int outputHeight, int outputWidth) {
    Objects.requireNonNull(input, "input");
    int h = input.height();
    int w = input.width();
    if (outputHeight < 1 || outputWidth < 1 || h % outputHeight != 0 || w % outputWidth != 0) {
      throw new IllegalArgumentException(
          "output " + outputHeight + "x" + outputWidth + " must divide the input " + h + "x" + w);
    }
    OnnxGraphBuilder b = new OnnxGraphBuilder("contrast_generator");
    String x = b.floatInput(INPUT_NAME, "N", 3, h, w);
    String abs = b.node("Abs", List.of(x));
    String mean = b.node("ReduceMean", List.of(abs), ints("axes", 1), intAttr("keepdims", 1));
    String smooth =
        b.node(
            "AveragePool",
            List.of(mean),
            ints("kernel_shape", 15, 15),
            ints("strides", 1, 1),
            ints("pads", 7, 7, 7, 7),
            intAttr("count_include_pad", 0));
    String v = smooth;
    if (outputHeight != h || outputWidth != w) {
      int kh = h / outputHeight;
      int kw = w / outputWidth;
      v = b.node("AveragePool", List.of(smooth), ints("kernel_shape", kh, kw), ints("strides", kh, kw));
    }
    String centred = b.node("Sub", List.of(v, b.floatScalar("offset", CONTRAST_OFFSET)));
    String scaled = b.node("Mul", List.of(centred, b.floatScalar("slope", CONTRAST_SLOPE)));
    b.nodeTo("Sigmoid", List.of(scaled), OUTPUT_NAME);
    b.floatOutput(OUTPUT_NAME, "N", 1, outputHeight, outputWidth);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /**
   * A "feature activation" generator that reads one classifier tensor instead of the image (see
   * {@link io.maskserve.zoo.GeneratorSpec#features}): keep probability is high where the tensor's
   * mean absolute activation over channels is high, relative to its mean over the map.
   *
   * <p>Graph (opset 17, IR 8): input named {@code tensor}, float {@code [N,channels,height,width]}
   * → Abs → ReduceMean over channels → divided by (its mean over the map + 1e-6) → {@code
   * Sigmoid(a * (v - 1))}, {@code a =} {@value #CONTRAST_SLOPE} → output {@code keep_prob} float
   * {@code [N,1,height,width]}; the map's size is the tensor's, which must divide the input size.
   *
   * @param tensor name of the classifier tensor read (the generator's only input)
   * @param channels its channel count
   * @param height its height
   * @param width its width
   * @return the serialized ONNX model
   */
  public static byte[] featureActivationGenerator(String tensor, int channels, int height, int width) {
    Objects.requireNonNull(tensor, "tensor");
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("tensor dimensions must be positive");
    }
    OnnxGraphBuilder b = new OnnxGraphBuilder("feature_activation_generator");
    String x = b.floatInput(tensor, "N", channels, height, width);
    String abs = b.node("Abs", List.of(x));
    String mean = b.node("ReduceMean", List.of(abs), ints("axes", 1), intAttr("keepdims", 1));
    String overall = b.node("ReduceMean", List.of(mean), ints("axes", 2, 3), intAttr("keepdims", 1));
    String relative = b.node("Div", List.of(mean, b.node("Add", List.of(overall, b.floatScalar("eps", 1e-6f)))));
    String centred = b.node("Sub", List.of(relative, b.floatScalar("one", 1f)));
    String scaled = b.node("Mul", List.of(centred, b.floatScalar("slope", CONTRAST_SLOPE)));
    b.nodeTo("Sigmoid", List.of(scaled), OUTPUT_NAME);
    b.floatOutput(OUTPUT_NAME, "N", 1, height, width);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }
}
