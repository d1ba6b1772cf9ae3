package io.maskserve.trainer.export;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.Block;
import ai.onnx.proto.OnnxMl.AttributeProto;
import com.google.protobuf.ByteString;
import io.maskserve.trainer.model.ClassifierNet;
import io.maskserve.trainer.model.ConvBnRelu;
import io.maskserve.trainer.model.DecoderConfig;
import io.maskserve.trainer.model.FeatureDecoderNet;
import io.maskserve.trainer.model.GeneratorNet;
import io.maskserve.trainer.model.MaskGenerator;
import io.maskserve.trainer.model.Tap;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.Objects;

/**
 * Writes the DJL models of this module as ONNX graphs, from their parameters, with {@link
 * OnnxGraphBuilder} (opset 17, IR 8, batch dimension dynamic). Batch norms (inference mode: running
 * statistics) are folded into the preceding convolutions, so the graphs contain only Conv, Relu,
 * MaxPool, Resize (nearest), Concat, GlobalAveragePool, Flatten, Gemm, Sigmoid and AveragePool.
 *
 * <p>Stateless; the models must be initialised.
 */
public final class OnnxExporter {

  /** Input name of exported classifiers. */
  public static final String CLASSIFIER_INPUT = "input";
  /** Output name of exported classifiers. */
  public static final String CLASSIFIER_OUTPUT = "logits";
  /** Input name of exported generators (as the zoo's reference generators). */
  public static final String GENERATOR_INPUT = "image";
  /** Second input of class-conditional generators: the class to explain per row, int64 {@code [N]}. */
  public static final String GENERATOR_TARGET = io.maskserve.zoo.GeneratorSpec.TARGET_INPUT;
  /** Output name of exported generators. */
  public static final String GENERATOR_OUTPUT = "keep_prob";

  /** Exports a classifier: {@code input [N,3,height,width]} → {@code logits [N,C]}. */
  public byte[] classifier(ClassifierNet net, int height, int width) {
    Objects.requireNonNull(net, "net");
    OnnxGraphBuilder b = new OnnxGraphBuilder("maskserve_classifier");
    String x = b.floatInput(CLASSIFIER_INPUT, "N", 3, height, width);
    List<ConvBnRelu> stages = net.stages();
    for (int i = 0; i < stages.size(); i++) {
      x = convBnRelu(b, x, stages.get(i), "stage" + i);
      if (i < stages.size() - 1) {
        x = b.node("MaxPool", List.of(x), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
      }
    }
    x = b.node("GlobalAveragePool", List.of(x));
    x = b.node("Flatten", List.of(x), intAttr("axis", 1));
    NDArray w = param(net.head(), "weight");
    NDArray bias = param(net.head(), "bias");
    long[] ws = w.getShape().getShape();
    String wName = b.floatInitializer("head_w", w.toFloatArray(), ws);
    String bName = b.floatInitializer("head_b", bias.toFloatArray(), ws[0]);
    b.nodeTo("Gemm", List.of(x, wName, bName), CLASSIFIER_OUTPUT, intAttr("transB", 1));
    b.floatOutput(CLASSIFIER_OUTPUT, "N", ws[0]);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /**
   * Exports a generator: {@code image [N,3,height,width]} (and for a class-conditional one {@code
   * target [N]} int64) → {@code keep_prob [N,1,h,w]}, sigmoid and smoothing inside the graph. Each
   * class embedding becomes {@code Gather(table, target)} unsqueezed to {@code [N,C,1,1]} and added
   * where the DJL model adds it (bottom, and after each decoder level's upsampling convolution).
   */
  public byte[] generator(GeneratorNet net, int height, int width) {
    Objects.requireNonNull(net, "net");
    OnnxGraphBuilder b = new OnnxGraphBuilder("maskserve_generator");
    String x = b.floatInput(GENERATOR_INPUT, "N", 3, height, width);
    String[] skips = new String[net.config().depth()];
    for (int l = 0; l < net.encoder().size(); l++) {
      int j = 0;
      for (ConvBnRelu block : net.encoder().get(l)) {
        x = convBnRelu(b, x, block, "enc" + l + "_" + j++);
      }
      skips[l] = x;
      x = b.node("MaxPool", List.of(x), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
    }
    int j = 0;
    for (ConvBnRelu block : net.bottom()) {
      x = convBnRelu(b, x, block, "bottom_" + j++);
    }
    String target = net.config().conditional() ? b.int64Input(GENERATOR_TARGET, "N") : null;
    String axes = target == null ? null : b.int64Initializer("class_axes", new long[] {2, 3}, 2);
    x = addClass(b, x, net, 0, target, axes);
    String scales = net.decoder().isEmpty() ? null : b.floatInitializer("up_scales", new float[] {1f, 1f, 2f, 2f}, 4);
    for (int i = 0; i < net.decoder().size(); i++) {
      int level = net.config().depth() - 1 - i;
      // asymmetric + floor is exactly "repeat every element twice", what the DJL model does.
      x = b.node("Resize", List.of(x, "", scales), str("mode", "nearest"),
          str("coordinate_transformation_mode", "asymmetric"), str("nearest_mode", "floor"));
      x = convBnRelu(b, x, net.upConvs().get(i), "up" + level);
      x = addClass(b, x, net, i + 1, target, axes);
      x = b.node("Concat", List.of(x, skips[level]), intAttr("axis", 1));
      j = 0;
      for (ConvBnRelu block : net.decoder().get(i)) {
        x = convBnRelu(b, x, block, "dec" + level + "_" + j++);
      }
    }
    int level = net.config().outputLevel();
    return finish(b, x, net.head(), net.config().smoothKernel(), height >> level, width >> level);
  }

  /** Exports either kind of generator: {@link #generator} or {@link #decoder}. */
  public byte[] export(MaskGenerator net, int height, int width) {
    if (net instanceof GeneratorNet g) {
      return generator(g, height, width);
    }
    if (net instanceof FeatureDecoderNet d) {
      return decoder(d);
    }
    throw new IllegalArgumentException("cannot export a " + net.getClass().getName());
  }

  /**
   * Exports a feature decoder: one input per tap, named like the classifier tensor it reads,
   * {@code [N,channels,height,width]} → {@code keep_prob [N,1,h,w]} (the zoo feeds those inputs
   * from the classifier's own forward pass, see {@code GeneratorSpec#features}).
   */
  public byte[] decoder(FeatureDecoderNet net) {
    Objects.requireNonNull(net, "net");
    DecoderConfig c = net.config();
    OnnxGraphBuilder b = new OnnxGraphBuilder("maskserve_feature_decoder");
    List<String> inputs = new java.util.ArrayList<>();
    for (Tap t : c.taps()) {
      inputs.add(b.floatInput(t.tensor(), "N", t.channels(), t.height(), t.width()));
    }
    String x = null;
    for (int i = 0; i < c.taps().size(); i++) {
      String lateral = convBnRelu(b, inputs.get(i), net.laterals().get(i), "lateral" + i);
      if (x == null) {
        x = lateral;
      } else {
        float f = c.factor(i);
        String scales = b.floatInitializer("up_scales" + i, new float[] {1f, 1f, f, f}, 4);
        x = b.node("Resize", List.of(x, "", scales), str("mode", "nearest"),
            str("coordinate_transformation_mode", "asymmetric"), str("nearest_mode", "floor"));
        x = b.node("Concat", List.of(x, lateral), intAttr("axis", 1));
      }
      x = convBnRelu(b, x, net.merges().get(i), "merge" + i);
    }
    return finish(b, x, net.head(), c.smoothKernel(), c.outputHeight(), c.outputWidth());
  }

  /** Head convolution, sigmoid, optional smoothing, the output; the model's bytes. */
  private static byte[] finish(OnnxGraphBuilder b, String x, Conv2d headConv, int k, int outH, int outW) {
    NDArray w = param(headConv, "weight");
    NDArray bias = param(headConv, "bias");
    String wName = b.floatInitializer("head_w", w.toFloatArray(), w.getShape().getShape());
    String bName = b.floatInitializer("head_b", bias.toFloatArray(), 1);
    x = b.node("Conv", List.of(x, wName, bName), ints("kernel_shape", 1, 1));
    if (k > 1) {
      x = b.node("Sigmoid", List.of(x));
      int p = k / 2;
      b.nodeTo("AveragePool", List.of(x), GENERATOR_OUTPUT, ints("kernel_shape", k, k), ints("strides", 1, 1),
          ints("pads", p, p, p, p), intAttr("count_include_pad", 0));
    } else {
      b.nodeTo("Sigmoid", List.of(x), GENERATOR_OUTPUT);
    }
    b.floatOutput(GENERATOR_OUTPUT, "N", 1, outH, outW);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /** {@code x + Unsqueeze(Gather(embedding e, target))}, or {@code x} for an unconditional generator. */
  private static String addClass(OnnxGraphBuilder b, String x, GeneratorNet net, int e, String target, String axes) {
    if (target == null) {
      return x;
    }
    var p = net.classEmbeddings().get(e);
    NDArray table = p.getArray();
    String t = b.floatInitializer(p.getName(), table.toFloatArray(), table.getShape().getShape());
    String rows = b.node("Gather", List.of(t, target), intAttr("axis", 0));
    return b.node("Add", List.of(x, b.node("Unsqueeze", List.of(rows, axes))));
  }

  /** Conv with the batch norm folded in, then Relu. */
  private static String convBnRelu(OnnxGraphBuilder b, String x, ConvBnRelu block, String prefix) {
    NDArray weight = param(block.conv(), "weight");
    long[] ws = weight.getShape().getShape(); // [Co, Ci, 3, 3]
    float[] w = weight.toFloatArray();
    float[] gamma = param(block.bn(), "gamma").toFloatArray();
    float[] beta = param(block.bn(), "beta").toFloatArray();
    float[] mean = param(block.bn(), "runningMean").toFloatArray();
    float[] var = param(block.bn(), "runningVar").toFloatArray();
    int co = (int) ws[0];
    int per = w.length / co;
    float[] fw = new float[w.length];
    float[] fb = new float[co];
    for (int o = 0; o < co; o++) {
      // Folded in double so the exported graph stays within float rounding of the DJL model.
      double scale = gamma[o] / Math.sqrt(var[o] + (double) ConvBnRelu.BN_EPSILON);
      for (int i = 0; i < per; i++) {
        fw[o * per + i] = (float) (w[o * per + i] * scale);
      }
      fb[o] = (float) (beta[o] - mean[o] * scale);
    }
    String wn = b.floatInitializer(prefix + "_w", fw, ws);
    String bn = b.floatInitializer(prefix + "_b", fb, co);
    String y = b.node("Conv", List.of(x, wn, bn), ints("kernel_shape", ws[2], ws[3]),
        ints("pads", ws[2] / 2, ws[3] / 2, ws[2] / 2, ws[3] / 2));
    return b.node("Relu", List.of(y));
  }

  private static NDArray param(Block block, String name) {
    return block.getParameters().get(name).getArray();
  }

  private static AttributeProto str(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }
}
