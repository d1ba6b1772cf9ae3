package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Shapes of the forward tensors, learnt once at augmentation time by running the classifier in ONNX
 * Runtime with every tensor as an output, at two batch sizes (1 and 3) when the batch is dynamic:
 * a dimension equal in both runs is static, one that triples scales with the batch (its value is
 * {@code coefficient * N}); anything else leaves the tensor's shape unknown. It needs the input's
 * non-batch dimensions to be fixed (they are for image classifiers, [N,3,H,W]) and no op whose
 * output shape depends on values. Backward rules then emit constants (with -1 or a broadcast 1 for
 * the batch dimension, so any N still works) instead of Shape/Gather/Concat chains; where a shape is
 * unknown they keep the in-graph, fully dynamic form.
 *
 * <p>Small int64 tensors that do not depend on the input at all (pad vectors an exporter computes
 * from constants) are recorded by value too.
 */
final class StaticShapes {
  /** Ops whose output shapes or values may depend on input values, or that hold subgraphs. */
  private static final Set<String> VALUE_DEPENDENT = Set.of("NonZero", "Compress", "Unique", "TopK",
      "NonMaxSuppression", "Loop", "If", "Scan", "RandomNormal", "RandomUniform", "RandomNormalLike",
      "RandomUniformLike", "Multinomial", "Bernoulli", "SequenceConstruct", "SplitToSequence");

  private static final long PROBE_N = 3;

  /**
   * A tensor's shape: {@code dims[k]} is the size, or the coefficient of N where {@code perN[k]}.
   */
  record Dims(long[] dims, boolean[] perN) {
    int rank() {
      return dims.length;
    }

    boolean anyPerN() {
      for (boolean b : perN) {
        if (b) {
          return true;
        }
      }
      return false;
    }

    int perNCount() {
      int c = 0;
      for (boolean b : perN) {
        c += b ? 1 : 0;
      }
      return c;
    }

    /** Whether dim k is a static 1. */
    boolean isOne(int k) {
      return !perN[k] && dims[k] == 1;
    }

    /** Whether dim k equals dim j of {@code o} for every N. */
    boolean sameDim(int k, Dims o, int j) {
      return perN[k] == o.perN[j] && dims[k] == o.dims[j];
    }

    boolean sameAs(Dims o) {
      if (o.rank() != rank()) {
        return false;
      }
      for (int k = 0; k < rank(); k++) {
        if (!sameDim(k, o, k)) {
          return false;
        }
      }
      return true;
    }
  }

  private static final StaticShapes NONE = new StaticShapes(Map.of(), Map.of());

  private final Map<String, Dims> shapes;
  private final Map<String, TensorProto> values;

  private StaticShapes(Map<String, Dims> shapes, Map<String, TensorProto> values) {
    this.shapes = shapes;
    this.values = values;
  }

  /** No static knowledge: every rule takes its dynamic form. */
  static StaticShapes none() {
    return NONE;
  }

  /** The shape of {@code t}, or null when unknown. */
  Dims get(String t) {
    return shapes.get(t);
  }

  /** The value of an input-independent int64 tensor computed by the forward graph, or null. */
  TensorProto value(String t) {
    return values.get(t);
  }

  int size() {
    return shapes.size();
  }

  /**
   * Probes the model; returns {@link #none()} when the input's non-batch dimensions are not fixed,
   * the graph has value-dependent ops or other inputs, or ONNX Runtime cannot run it.
   */
  static StaticShapes probe(ModelProto model, String input) {
    GraphProto graph = model.getGraph();
    ValueInfoProto inputInfo = null;
    Set<String> inits = new HashSet<>();
    for (TensorProto t : graph.getInitializerList()) {
      inits.add(t.getName());
    }
    for (ValueInfoProto vi : graph.getInputList()) {
      if (vi.getName().equals(input)) {
        inputInfo = vi;
      } else if (!inits.contains(vi.getName())) {
        return NONE; // another input to feed: unknown values
      }
    }
    if (inputInfo == null || !inputInfo.getType().getTensorType().hasShape()) {
      return NONE;
    }
    TensorShapeProto s = inputInfo.getType().getTensorType().getShape();
    int rank = s.getDimCount();
    if (rank == 0) {
      return NONE;
    }
    long[] inShape = new long[rank];
    for (int k = 1; k < rank; k++) {
      if (!s.getDim(k).hasDimValue() || s.getDim(k).getDimValue() <= 0) {
        return NONE;
      }
      inShape[k] = s.getDim(k).getDimValue();
    }
    boolean fixedBatch = s.getDim(0).hasDimValue() && s.getDim(0).getDimValue() > 0;
    for (NodeProto n : graph.getNodeList()) {
      if (VALUE_DEPENDENT.contains(n.getOpType()) || (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx"))) {
        return NONE;
      }
    }
    // tensors depending on the input by any edge (values of the others are constants)
    Set<String> dependent = new HashSet<>();
    dependent.add(input);
    for (NodeProto n : graph.getNodeList()) {
      for (String i : n.getInputList()) {
        if (dependent.contains(i)) {
          dependent.addAll(n.getOutputList());
          break;
        }
      }
    }
    GraphProto.Builder g = graph.toBuilder().clearOutput();
    Set<String> names = new HashSet<>();
    for (NodeProto n : graph.getNodeList()) {
      for (String o : n.getOutputList()) {
        if (!o.isEmpty() && names.add(o)) {
          g.addOutput(ValueInfoProto.newBuilder().setName(o));
        }
      }
    }
    names.add(input);
    ModelProto probe = model.toBuilder().setGraph(g).build();
    int elemType = inputInfo.getType().getTensorType().getElemType();
    try {
      Map<String, long[]> a;
      Map<String, long[]> b = null;
      Map<String, TensorProto> values = new HashMap<>();
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        so.setIntraOpNumThreads(1);
        so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        try (OrtSession session = env.createSession(probe.toByteArray(), so)) {
          long n1 = fixedBatch ? s.getDim(0).getDimValue() : 1;
          a = run(env, session, input, elemType, inShape, n1, dependent, values);
          if (!fixedBatch) {
            b = run(env, session, input, elemType, inShape, PROBE_N, dependent, null);
          }
        }
      }
      Map<String, Dims> shapes = new HashMap<>();
      for (Map.Entry<String, long[]> e : a.entrySet()) {
        long[] d1 = e.getValue();
        long[] d3 = b == null ? d1 : b.get(e.getKey());
        if (d3 == null || d3.length != d1.length) {
          continue;
        }
        long[] dims = new long[d1.length];
        boolean[] perN = new boolean[d1.length];
        boolean ok = true;
        for (int k = 0; k < d1.length && ok; k++) {
          if (d1[k] == d3[k]) {
            dims[k] = d1[k];
          } else if (d3[k] == PROBE_N * d1[k]) {
            dims[k] = d1[k];
            perN[k] = true;
          } else {
            ok = false;
          }
        }
        if (ok) {
          shapes.put(e.getKey(), new Dims(dims, perN));
        }
      }
      return new StaticShapes(Collections.unmodifiableMap(shapes), Collections.unmodifiableMap(values));
    } catch (OrtException | RuntimeException e) {
      return NONE;
    }
  }

  private static Map<String, long[]> run(OrtEnvironment env, OrtSession session, String input, int elemType,
      long[] inShape, long n, Set<String> dependent, Map<String, TensorProto> values) throws OrtException {
    long[] shape = inShape.clone();
    shape[0] = n;
    int count = 1;
    for (long d : shape) {
      count = Math.multiplyExact(count, (int) d);
    }
    Random rnd = new Random(17);
    OnnxTensor x;
    if (elemType == TensorProto.DataType.DOUBLE.getNumber()) {
      double[] v = new double[count];
      for (int k = 0; k < count; k++) {
        v[k] = rnd.nextGaussian();
      }
      x = OnnxTensor.createTensor(env, DoubleBuffer.wrap(v), shape);
    } else {
      float[] v = new float[count];
      for (int k = 0; k < count; k++) {
        v[k] = (float) rnd.nextGaussian();
      }
      x = OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
    }
    Map<String, long[]> out = new HashMap<>();
    out.put(input, shape);
    try (x; OrtSession.Result r = session.run(Map.of(input, x))) {
      for (Map.Entry<String, OnnxValue> e : r) {
        if (!(e.getValue() instanceof OnnxTensor t)) {
          continue;
        }
        long[] dims = t.getInfo().getShape();
        out.put(e.getKey(), dims);
        if (values != null && !dependent.contains(e.getKey()) && t.getInfo().type == OnnxJavaType.INT64
            && t.getInfo().getNumElements() <= 64) {
          LongBuffer lb = t.getLongBuffer();
          TensorProto.Builder tp = TensorProto.newBuilder().setName(e.getKey())
              .setDataType(TensorProto.DataType.INT64.getNumber());
          for (long d : dims) {
            tp.addDims(d);
          }
          while (lb.hasRemaining()) {
            tp.addInt64Data(lb.get());
          }
          values.put(e.getKey(), tp.build());
        }
      }
    }
    return out;
  }
}
