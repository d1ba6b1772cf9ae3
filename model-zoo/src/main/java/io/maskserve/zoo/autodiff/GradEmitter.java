package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emits the backward nodes and constants with fresh names, and the helpers rules share (shapes,
 * scalars of the gradient's type, un-broadcasting). Where {@link StaticShapes} knows a forward
 * tensor's shape, helpers emit constants (the batch dimension as -1 in Reshape targets or 1 in Expand
 * targets, so any N works); otherwise shapes are read in-graph with {@code Shape}.
 */
final class GradEmitter {
  /** A value computed once per key (the computation may itself use the cache). */
  private String cached(String key, java.util.function.Supplier<String> make) {
    String v = cache.get(key);
    if (v == null) {
      v = make.get();
      cache.put(key, v);
    }
    return v;
  }

  /** A large end index for Slice ("to the end"). */
  static final long END = Long.MAX_VALUE;

  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> initializers = new ArrayList<>();
  private final Set<String> taken;
  private final String prefix;
  private final Map<String, TensorProto> constants;
  private final Map<String, String> cache = new HashMap<>();
  private final int elemType;
  private final Map<String, Integer> ranks;
  private final StaticShapes statics;
  private int counter;

  /**
   * @param taken every name already used in the graph
   * @param constants the forward graph's constant tensors (initializers and Constant outputs) by name
   */
  GradEmitter(Set<String> taken, Map<String, TensorProto> constants, int elemType, Map<String, Integer> ranks,
      StaticShapes statics) {
    this.statics = statics;
    this.elemType = elemType;
    this.ranks = ranks;
    this.taken = taken;
    this.constants = constants;
    String p = "ad";
    while (startsAny(taken, p + "/")) {
      p = "_" + p;
    }
    this.prefix = p + "/";
  }

  private static boolean startsAny(Set<String> names, String p) {
    for (String n : names) {
      if (n.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  List<NodeProto> nodes() {
    return nodes;
  }

  List<TensorProto> initializers() {
    return initializers;
  }

  String fresh(String hint) {
    String n = prefix + hint + "_" + counter++;
    taken.add(n);
    return n;
  }

  /** A node with one output. */
  String node(String op, List<String> inputs, AttributeProto... attrs) {
    return nodeN(op, inputs, 1, attrs).get(0);
  }

  /** A node with {@code outputs} outputs. */
  List<String> nodeN(String op, List<String> inputs, int outputs, AttributeProto... attrs) {
    List<String> outs = new ArrayList<>();
    for (int k = 0; k < outputs; k++) {
      outs.add(fresh(op.toLowerCase(java.util.Locale.ROOT)));
    }
    nodeTo(op, inputs, outs, attrs);
    return outs;
  }

  /** A node writing the given outputs. */
  void nodeTo(String op, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(prefix + "n" + counter++)
        .addAllInput(inputs).addAllOutput(outputs);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    nodes.add(n.build());
  }

  String node(String op, String a, AttributeProto... attrs) {
    return node(op, List.of(a), attrs);
  }

  String node(String op, String a, String b, AttributeProto... attrs) {
    return node(op, List.of(a, b), attrs);
  }

  /** An int64 1-D constant. */
  String ints(long... values) {
    String key = "ints" + Arrays.toString(values);
    return cached(key, () -> {
      String name = fresh("c");
      TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
          .addDims(values.length);
      for (long v : values) {
        t.addInt64Data(v);
      }
      initializers.add(t.build());
      return name;
    });
  }

  /** An int64 scalar constant. */
  String intScalar(long value) {
    return cached("int" + value, () -> {
      String name = fresh("c");
      initializers.add(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
          .addInt64Data(value).build());
      return name;
    });
  }

  /** A constant of the gradients' element type with the given dims. */
  String floats(float[] values, long... dims) {
    String name = fresh("c");
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(elemType);
    for (long d : dims) {
      t.addDims(d);
    }
    for (float v : values) {
      if (elemType == TensorProto.DataType.DOUBLE.getNumber()) {
        t.addDoubleData(v);
      } else {
        t.addFloatData(v);
      }
    }
    initializers.add(t.build());
    return name;
  }

  /** A scalar of value {@code v} of the gradients' element type (the model input's: float32 or float64); {@code like} documents what it combines with. */
  String scalarLike(double v, String like) {
    return cached("scalar" + v, () -> {
      String name = fresh("c");
      TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(elemType);
      if (elemType == TensorProto.DataType.DOUBLE.getNumber()) {
        t.addDoubleData(v);
      } else {
        t.addFloatData((float) v);
      }
      initializers.add(t.build());
      return name;
    });
  }

  /** The static rank of a forward tensor, or -1 when unknown. */
  int rank(String t) {
    Integer r = ranks.get(t);
    return r == null ? -1 : r;
  }

  /** The gradients' element type (TensorProto.DataType number). */
  int elemType() {
    return elemType;
  }

  /** The values of a float32 tensor (raw or typed data), or null for other types and external data. */
  static float[] floatValues(TensorProto t) {
    if (t.getDataType() != TensorProto.DataType.FLOAT.getNumber() || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return null;
    }
    long n = 1;
    for (long d : t.getDimsList()) {
      n *= d;
    }
    float[] v = new float[(int) n];
    if (!t.getRawData().isEmpty()) {
      java.nio.FloatBuffer b = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      if (b.remaining() != n) {
        return null;
      }
      b.get(v);
    } else {
      if (t.getFloatDataCount() != n) {
        return null;
      }
      for (int k = 0; k < n; k++) {
        v[k] = t.getFloatData(k);
      }
    }
    return v;
  }

  /** {@code g} where {@code mask} (bool) holds, else 0: {@code g * Cast(mask)}, faster in ONNX Runtime than Where. */
  String maskGrad(String g, String mask) {
    return node("Mul", g, cast(mask));
  }

  /** {@code Cast(t)} to the gradients' element type. */
  String cast(String t) {
    return node("Cast", t, Attrs.intAttr("to", elemType));
  }

  /** A ConstantOfShape {@code value} attribute of the gradients' element type. */
  AttributeProto valueAttr(double v) {
    TensorProto.Builder t = TensorProto.newBuilder().setDataType(elemType).addDims(1);
    if (elemType == TensorProto.DataType.DOUBLE.getNumber()) {
      t.addDoubleData(v);
    } else {
      t.addFloatData((float) v);
    }
    return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }

  /** {@code Shape(t)}, emitted once per tensor. */
  String shape(String t) {
    return cached("shape|" + t, () -> node("Shape", t));
  }

  /** {@code Shape(t)[from:]}. */
  String shapeFrom(String t, long from) {
    return cached("shapefrom" + from + "|" + t, () -> node("Slice", List.of(shape(t), ints(from), ints(END))));
  }

  /** Number of elements of {@code t} as an int64 tensor of shape [1]. */
  String numel1(String t) {
    return cached("numel|" + t, () -> node("ReduceProd", shape(t), Attrs.intAttr("keepdims", 1)));
  }

  /** Zeros with the shape of {@code shapeOf} and the element type of {@code typeOf}. */
  String zerosLike(String shapeOf, String typeOf) {
    StaticShapes.Dims d = dims(shapeOf);
    if (d != null && !d.anyPerN()) {
      return node("ConstantOfShape", List.of(ints(d.dims())), valueAttr(0));
    }
    return node("ConstantOfShape", List.of(shape(shapeOf)), valueAttr(0));
  }

  /** The statically known shape of a forward tensor, or null. */
  StaticShapes.Dims dims(String t) {
    return statics.get(t);
  }

  /**
   * A constant Reshape target for the shape {@code d} (its batch-scaled dimension as -1), or null
   * when unknown, when more than one dimension scales with N, or when a dimension is 0.
   */
  String reshapeTarget(StaticShapes.Dims d) {
    if (d == null || d.perNCount() > 1) {
      return null;
    }
    long[] v = new long[d.rank()];
    for (int k = 0; k < v.length; k++) {
      if (d.perN()[k]) {
        v[k] = -1;
      } else if (d.dims()[k] == 0) {
        return null;
      } else {
        v[k] = d.dims()[k];
      }
    }
    return ints(v);
  }

  /**
   * A constant Expand target taking a tensor shaped {@code from} to the shape {@code to} (same
   * rank): batch-scaled dimensions become 1, which Expand broadcasts, valid when {@code from} already
   * has them. Null when unknown or not applicable.
   */
  String expandTarget(StaticShapes.Dims from, StaticShapes.Dims to) {
    if (from == null || to == null || from.rank() != to.rank()) {
      return null;
    }
    long[] v = new long[to.rank()];
    for (int k = 0; k < v.length; k++) {
      if (to.perN()[k]) {
        if (!to.sameDim(k, from, k)) {
          return null;
        }
        v[k] = 1;
      } else {
        v[k] = to.dims()[k];
      }
    }
    return ints(v);
  }

  /** {@code Expand(g, Shape(x))}, with a constant target when {@code gShapeOf} (shaped like g) and x are known. */
  String expandLike(String g, String gShapeOf, String x) {
    String t = expandTarget(dims(gShapeOf), dims(x));
    return node("Expand", g, t != null ? t : shape(x));
  }

  /**
   * The values of an int64 tensor known at augmentation time (a forward constant, or an
   * input-independent tensor the probe computed), or null.
   */
  long[] longValues(String name) {
    TensorProto t = constants.get(name);
    if (t == null) {
      t = statics.value(name);
    }
    if (t == null || t.getDataType() != TensorProto.DataType.INT64.getNumber()
        || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return null;
    }
    if (!t.getRawData().isEmpty()) {
      java.nio.LongBuffer b = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer();
      long[] v = new long[b.remaining()];
      b.get(v);
      return v;
    }
    long[] v = new long[t.getInt64DataCount()];
    for (int k = 0; k < v.length; k++) {
      v[k] = t.getInt64Data(k);
    }
    return v;
  }

  /** Zeros of shape [numel(shapeOf)] with the element type of {@code typeOf}. */
  String flatZerosLike(String shapeOf, String typeOf) {
    return node("ConstantOfShape", List.of(numel1(shapeOf)), valueAttr(0));
  }

  /** {@code Reshape(g, Shape(like))}, with a constant target when the shape of {@code like} is known. */
  String reshapeLike(String g, String like) {
    String t = reshapeTarget(dims(like));
    return node("Reshape", g, t != null ? t : shape(like));
  }

  /** {@code Reshape(t, [-1])}. */
  String flatten1(String t) {
    return node("Reshape", t, ints(-1));
  }

  /** Indices 0..numel-1 of {@code t}, shaped like {@code t} (int64): Slice/Gather of it says where each element came from. */
  String iota(String t) {
    return cached("iota|" + t, () -> {
      String n = node("ReduceProd", shape(t), Attrs.intAttr("keepdims", 0));
      String r = node("Range", List.of(intScalar(0), n, intScalar(1)));
      return node("Reshape", r, shape(t));
    });
  }

  /**
   * Scatters {@code g} back into a zero tensor shaped like {@code x}, at the flat positions {@code
   * flatIndex} (same shape as {@code g}).
   */
  String scatterToFlat(String g, String flatIndex, String x, boolean accumulate) {
    String zeros = flatZerosLike(x, g);
    String s = accumulate
        ? node("ScatterElements", List.of(zeros, flatten1(flatIndex), flatten1(g)), Attrs.intAttr("axis", 0),
            sAttr("reduction", "add"))
        : node("ScatterElements", List.of(zeros, flatten1(flatIndex), flatten1(g)), Attrs.intAttr("axis", 0));
    return reshapeLike(s, x);
  }

  static AttributeProto sAttr(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  /**
   * Sums the gradient {@code g} (shape of a broadcast result) back to the shape of {@code x}: over
   * leading axes {@code x} lacks and over axes where {@code x} has size 1 but {@code g} not. When
   * {@code g} and {@code x} have the same shape the ReduceSum is a no-op. {@code other} is the op's
   * other operand (or null), used to skip the reduction when it is a one-element constant.
   */
  String unbroadcast(String g, String x, String other) {
    return unbroadcast(g, x, other, null);
  }

  /**
   * As {@link #unbroadcast(String, String, String)}, where {@code out} (or null) is the forward
   * tensor shaped like {@code g}: when both ranks are known and equal, the axes to sum are just where
   * the shapes differ (5 nodes instead of 13).
   */
  String unbroadcast(String g, String x, String other, String out) {
    if (other != null && isSingleConstant(other)) {
      return g; // x alone sets the result's shape
    }
    String folded = out == null ? null : unbroadcastStatic(g, x, out);
    if (folded != null) {
      return folded;
    }
    if (out != null && rank(x) >= 0 && rank(x) == rank(out)) {
      String axes = node("Reshape", node("NonZero", node("Not", node("Equal", shape(x), shape(out)))), ints(-1));
      return node("ReduceSum", List.of(g, axes), Attrs.intAttr("keepdims", 1), Attrs.intAttr("noop_with_empty_axes", 1));
    }
    String sx = shape(x);
    String sg = node("Shape", g);
    String diff = node("Sub", node("Size", sg), node("Size", sx));
    String ones = node("ConstantOfShape", List.of(node("Reshape", diff, ints(1))), intTensorAttr("value", 1));
    String sxp = node("Concat", List.of(ones, sx), Attrs.intAttr("axis", 0));
    String mask = node("Not", node("Equal", sxp, sg));
    String axes = node("Reshape", node("NonZero", mask), ints(-1));
    String red = node("ReduceSum", List.of(g, axes), Attrs.intAttr("keepdims", 1), Attrs.intAttr("noop_with_empty_axes", 1));
    return node("Reshape", red, sx);
  }

  /**
   * Static un-broadcasting: the axes to sum are known from the shapes of {@code x} and {@code out}
   * (no node when equal). Null when a shape is unknown.
   */
  private String unbroadcastStatic(String g, String x, String out) {
    StaticShapes.Dims dx = dims(x);
    StaticShapes.Dims dout = dims(out);
    if (dx == null || dout == null || dx.rank() > dout.rank()) {
      return null;
    }
    int lead = dout.rank() - dx.rank();
    List<Long> axes = new ArrayList<>();
    for (int k = 0; k < lead; k++) {
      axes.add((long) k);
    }
    for (int k = 0; k < dx.rank(); k++) {
      if (dx.sameDim(k, dout, k + lead)) {
        continue;
      }
      if (!dx.isOne(k)) {
        return null; // not a broadcast this rule understands: stay dynamic
      }
      axes.add((long) (k + lead));
    }
    String red = g;
    if (!axes.isEmpty()) {
      red = node("ReduceSum", List.of(g, ints(axes.stream().mapToLong(Long::longValue).toArray())),
          Attrs.intAttr("keepdims", 1));
    }
    if (lead == 0) {
      return red;
    }
    String t = reshapeTarget(dx);
    return node("Reshape", red, t != null ? t : shape(x));
  }

  /** A TENSOR attribute holding one int64. */
  static AttributeProto intTensorAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
        .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64.getNumber()).addDims(1).addInt64Data(v))
        .build();
  }

  /** The forward constant (initializer or Constant node output) of this name, or null. */
  TensorProto constant(String name) {
    return constants.get(name);
  }

  /** Whether {@code name} is a forward constant of rank 0, or of rank 1 with one element. */
  boolean isSingleConstant(String name) {
    TensorProto t = constants.get(name);
    if (t == null) {
      return false;
    }
    return t.getDimsCount() == 0 || (t.getDimsCount() == 1 && t.getDims(0) == 1);
  }
}
