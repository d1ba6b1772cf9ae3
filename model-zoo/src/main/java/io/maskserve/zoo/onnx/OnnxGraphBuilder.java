package io.maskserve.zoo.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;
import java.util.Objects;

/**
 * A small mutable builder of ONNX graphs (standard domain only). Not thread-safe; build one model
 * per instance.
 *
 * <pre>{@code
 * OnnxGraphBuilder b = new OnnxGraphBuilder("g");
 * String x = b.floatInput("image", "N", 3, 32, 32);
 * String y = b.node("Sigmoid", List.of(x));
 * b.floatOutput(y, "N", 3, 32, 32);
 * byte[] onnx = b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
 * }</pre>
 */
public final class OnnxGraphBuilder {

  /** IR version written by default (ONNX 1.13+, understood by every supported ONNX Runtime). */
  public static final long DEFAULT_IR_VERSION = 8;

  /** Default-domain opset written by default. */
  public static final long DEFAULT_OPSET = 17;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private int counter;

  /**
   * @param graphName the graph's name stored in the model
   */
  public OnnxGraphBuilder(String graphName) {
    graph.setName(Objects.requireNonNull(graphName, "graphName"));
  }

  /**
   * Declares a float32 graph input.
   *
   * @param name input name
   * @param dims each a {@link Number} (fixed size) or a {@link String} (symbolic, i.e. dynamic)
   * @return {@code name}
   */
  public String floatInput(String name, Object... dims) {
    graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
    return name;
  }

  /**
   * Declares an int64 graph input (e.g. a class-conditional generator's {@code target [N]}).
   *
   * @param name input name
   * @param dims each a {@link Number} (fixed size) or a {@link String} (symbolic, i.e. dynamic)
   * @return {@code name}
   */
  public String int64Input(String name, Object... dims) {
    graph.addInput(valueInfo(name, TensorProto.DataType.INT64, dims));
    return name;
  }

  /**
   * Declares a float32 graph output, produced by a node output of the same name.
   *
   * @param name output name (a value produced by some node)
   * @param dims each a {@link Number} or a {@link String}; none at all means "shape unknown"
   * @return {@code name}
   */
  public String floatOutput(String name, Object... dims) {
    graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
    return name;
  }

  /** Adds a float32 initializer (a constant weight) and returns its name. */
  public String floatInitializer(String name, float[] values, long... dims) {
    checkCount(values.length, dims);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (float v : values) {
      t.addFloatData(v);
    }
    graph.addInitializer(t);
    return name;
  }

  /** Adds an int64 initializer and returns its name. */
  public String int64Initializer(String name, long[] values, long... dims) {
    checkCount(values.length, dims);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (long v : values) {
      t.addInt64Data(v);
    }
    graph.addInitializer(t);
    return name;
  }

  /** Adds a scalar float32 initializer (rank 0) and returns its name. */
  public String floatScalar(String name, float value) {
    return floatInitializer(name, new float[] {value});
  }

  /**
   * Adds a node with one output whose name is generated from the op type.
   *
   * @return the output name
   */
  public String node(String opType, List<String> inputs, AttributeProto... attributes) {
    String out = opType.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
    nodeTo(opType, inputs, out, attributes);
    return out;
  }

  /**
   * Adds a node with one output of the given name.
   *
   * @return {@code output}
   */
  public String nodeTo(String opType, List<String> inputs, String output, AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(output + "_node").addOutput(output);
    n.addAllInput(inputs);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return output;
  }

  /**
   * Adds a node with several outputs of the given names (e.g. Split).
   *
   * @return {@code outputs}
   */
  public List<String> nodeOutputs(String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(outputs.get(0) + "_node").addAllOutput(outputs);
    n.addAllInput(inputs);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return outputs;
  }

  /** An INTS attribute. */
  public static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  /** An INT attribute. */
  public static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  /** A FLOAT attribute. */
  public static AttributeProto floatAttr(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  /** The graph built so far. */
  public GraphProto buildGraph() {
    return graph.build();
  }

  /** A model holding the graph, importing the default domain at {@code opset}. */
  public ModelProto buildModel(long irVersion, long opset) {
    return ModelProto.newBuilder()
        .setIrVersion(irVersion)
        .setProducerName("maskserve")
        .setProducerVersion("1")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(buildGraph())
        .build();
  }

  /** The serialized model, ready to be written as a {@code .onnx} file. */
  public byte[] toBytes(long irVersion, long opset) {
    return buildModel(irVersion, opset).toByteArray();
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber());
    if (dims.length > 0) {
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      for (Object d : dims) {
        if (d instanceof Number n) {
          shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(n.longValue()));
        } else if (d instanceof String s) {
          shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
        } else {
          throw new IllegalArgumentException("dimension must be a Number or a String, got " + d);
        }
      }
      tensor.setShape(shape);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
  }

  private static void checkCount(int count, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    if (n != count) {
      throw new IllegalArgumentException("initializer has " + count + " values but dims give " + n);
    }
  }

  /** The {@code OnnxMl} enum value for float32, for callers building value infos by hand. */
  public static int floatType() {
    return OnnxMl.TensorProto.DataType.FLOAT.getNumber();
  }
}
