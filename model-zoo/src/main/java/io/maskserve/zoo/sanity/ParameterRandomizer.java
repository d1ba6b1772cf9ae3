package io.maskserve.zoo.sanity;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The model parameter randomisation test's classifiers (Adebayo et al. 2018, cascading variant):
 * the learnable layers of an ONNX classifier in graph order, and copies of the model whose last
 * {@code k} layers — from the logits down — have their parameters replaced by random values.
 *
 * <p>Learnable layers are the nodes that read float initialisers as parameters: {@code Conv},
 * {@code ConvTranspose} and {@code Gemm} (weight and bias), {@code MatMul} (the constant operand),
 * {@code BatchNormalization} and {@code LayerNormalization} (scale and bias; running statistics are
 * kept, as they are statistics of the data, not learnt weights). A parameter is replaced by draws
 * from a normal distribution with mean 0 and the standard deviation of the trained tensor, which
 * keeps activations at their trained scale (Adebayo et al. re-run each layer's initialiser; a
 * Gaussian of the trained scale is the format-independent equivalent).
 *
 * <p>Each layer's random values depend only on the seed and the layer, so cascade {@code k+1}
 * randomises the same values as cascade {@code k} plus one layer further down: the curves of the
 * test compare maps as randomisation spreads, not as random draws change. Immutable.
 */
public final class ParameterRandomizer {

  /**
   * A learnable layer.
   *
   * @param node the node's name (or its first output when it has no name)
   * @param opType the operator
   * @param parameters the initialisers it reads as parameters, in input order
   */
  public record Layer(String node, String opType, List<String> parameters) {
    public Layer {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(opType, "opType");
      parameters = List.copyOf(parameters);
    }
  }

  private final ModelProto model;
  private final List<Layer> layers;

  private ParameterRandomizer(ModelProto model, List<Layer> layers) {
    this.model = model;
    this.layers = List.copyOf(layers);
  }

  /**
   * Finds {@code model}'s learnable layers.
   *
   * @throws IllegalArgumentException if the model has no graph or no learnable layer
   */
  public static ParameterRandomizer of(ModelProto model) {
    Objects.requireNonNull(model, "model");
    if (!model.hasGraph()) {
      throw new IllegalArgumentException("the model has no graph");
    }
    GraphProto graph = model.getGraph();
    Map<String, TensorProto> floats = new HashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.getExternalDataCount() == 0) {
        floats.put(t.getName(), t);
      }
    }
    List<Layer> layers = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (NodeProto node : graph.getNodeList()) {
      List<String> params = new ArrayList<>();
      for (int i : parameterInputs(node)) {
        if (i < node.getInputCount()) {
          String name = node.getInput(i);
          // A parameter shared by several nodes belongs to the first (in graph order) that reads it.
          if (floats.containsKey(name) && taken.add(name)) {
            params.add(name);
          }
        }
      }
      if (!params.isEmpty()) {
        String name = node.getName().isEmpty() ? node.getOutput(0) : node.getName();
        layers.add(new Layer(name, node.getOpType(), params));
      }
    }
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("the model has no learnable layer (Conv, Gemm, MatMul, normalisation) "
          + "with float initialisers");
    }
    return new ParameterRandomizer(model, layers);
  }

  /** Inputs of {@code node} that are parameters when they are initialisers. */
  private static int[] parameterInputs(NodeProto node) {
    return switch (node.getOpType()) {
      case "Conv", "ConvTranspose", "Gemm" -> new int[] {1, 2};
      case "MatMul" -> new int[] {0, 1};
      case "BatchNormalization", "LayerNormalization" -> new int[] {1, 2};
      default -> new int[0];
    };
  }

  /** The learnable layers, in graph order (input side first, logits last). */
  public List<Layer> layers() {
    return layers;
  }

  /**
   * The model with its last {@code k} layers randomised ({@code k = 0}: the model unchanged).
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code 0..layers().size()}
   */
  public ModelProto cascade(int k, long seed) {
    if (k < 0 || k > layers.size()) {
      throw new IllegalArgumentException("k must be in 0.." + layers.size() + ", got " + k);
    }
    Map<String, Integer> randomised = new HashMap<>();
    for (int i = layers.size() - k; i < layers.size(); i++) {
      for (String p : layers.get(i).parameters()) {
        randomised.put(p, i);
      }
    }
    GraphProto.Builder graph = model.getGraph().toBuilder();
    for (int t = 0; t < graph.getInitializerCount(); t++) {
      TensorProto init = graph.getInitializer(t);
      Integer layer = randomised.get(init.getName());
      if (layer != null) {
        graph.setInitializer(t, randomise(init, new SplittableRandom(mix(seed, layer, init.getName()))));
      }
    }
    return model.toBuilder().setGraph(graph).build();
  }

  /** A stream seed for one parameter of one layer: independent of {@code k}. */
  private static long mix(long seed, int layer, String parameter) {
    long h = seed * 0x9E3779B97F4A7C15L + layer;
    return h * 31 + parameter.hashCode();
  }

  /** {@code tensor} with every value drawn from N(0, std(tensor)²); same name, type and shape. */
  static TensorProto randomise(TensorProto tensor, SplittableRandom rng) {
    float[] values = floats(tensor);
    double mean = 0;
    for (float v : values) {
      mean += v;
    }
    mean /= Math.max(1, values.length);
    double var = 0;
    for (float v : values) {
      var += (v - mean) * (v - mean);
    }
    // A constant tensor (a bias of zeros, a scale of ones) has no spread to copy: use its magnitude.
    double std = values.length > 1 && var > 0 ? Math.sqrt(var / values.length) : Math.max(Math.abs(mean), 1e-2);
    ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.length; i++) {
      out.putFloat((float) (gaussian(rng) * std));
    }
    return tensor.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(out.array())).build();
  }

  /** The float values of an embedded FLOAT tensor (raw_data or float_data). */
  static float[] floats(TensorProto tensor) {
    long n = 1;
    for (long d : tensor.getDimsList()) {
      n *= d;
    }
    float[] values = new float[(int) n];
    if (!tensor.getRawData().isEmpty()) {
      ByteBuffer.wrap(tensor.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    } else {
      for (int i = 0; i < values.length; i++) {
        values[i] = tensor.getFloatData(i);
      }
    }
    return values;
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller: SplittableRandom has no nextGaussian in Java 17.
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
