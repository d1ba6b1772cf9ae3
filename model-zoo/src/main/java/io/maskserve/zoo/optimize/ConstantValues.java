package io.maskserve.zoo.optimize;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Values of tensors that depend on no graph input. */
final class ConstantValues {
  private ConstantValues() {}

  /**
   * The values of those {@code names} that are initializers, {@code Constant} outputs, or computed
   * only from those by deterministic nodes (run once in ONNX Runtime). Names that are none of these,
   * or whose evaluation fails, are missing from the map.
   */
  static Map<String, TensorProto> of(ModelProto model, Set<String> names, Set<String> nondeterministic) {
    GraphProto g = model.getGraph();
    Map<String, TensorProto> out = new HashMap<>();
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    Set<String> graphInputs = new HashSet<>();
    for (ValueInfoProto v : g.getInputList()) {
      if (!inits.containsKey(v.getName())) {
        graphInputs.add(v.getName());
      }
    }
    Map<String, NodeProto> producer = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      for (String o : n.getOutputList()) {
        producer.put(o, n);
      }
    }
    Set<String> toRun = new HashSet<>();
    for (String name : names) {
      if (inits.containsKey(name) && !graphInputs.contains(name)) {
        out.put(name, inits.get(name));
        continue;
      }
      NodeProto p = producer.get(name);
      if (p == null) {
        continue;
      }
      if (p.getOpType().equals("Constant") && p.getAttributeCount() == 1
          && p.getAttribute(0).getName().equals("value")) {
        out.put(name, p.getAttribute(0).getT());
        continue;
      }
      if (constantAncestry(name, producer, graphInputs, nondeterministic, new HashSet<>())) {
        toRun.add(name);
      }
    }
    if (!toRun.isEmpty()) {
      out.putAll(evaluate(model, toRun, producer));
    }
    return out;
  }

  /** Whether {@code name} is computed from initializers and constants only (no graph input, no subgraph). */
  private static boolean constantAncestry(String name, Map<String, NodeProto> producer, Set<String> graphInputs,
      Set<String> nondeterministic, Set<String> seen) {
    if (!seen.add(name)) {
      return true;
    }
    if (graphInputs.contains(name)) {
      return false;
    }
    NodeProto p = producer.get(name);
    if (p == null) {
      return true; // an initializer (or an empty optional input)
    }
    if (nondeterministic.contains(p.getOpType()) || !(p.getDomain().isEmpty() || p.getDomain().equals("ai.onnx"))) {
      return false;
    }
    for (AttributeProto a : p.getAttributeList()) {
      if (a.hasG() || a.getGraphsCount() > 0) {
        return false;
      }
    }
    for (String i : p.getInputList()) {
      if (!i.isEmpty() && !constantAncestry(i, producer, graphInputs, nondeterministic, seen)) {
        return false;
      }
    }
    return true;
  }

  /** Runs the nodes {@code names} need as a model with no inputs; an empty map if ONNX Runtime fails. */
  private static Map<String, TensorProto> evaluate(ModelProto model, Set<String> names,
      Map<String, NodeProto> producer) {
    GraphProto g = model.getGraph();
    Set<String> needed = new HashSet<>();
    List<String> stack = new ArrayList<>(names);
    while (!stack.isEmpty()) {
      String t = stack.remove(stack.size() - 1);
      NodeProto p = producer.get(t);
      if (p != null && needed.add(p.getOutput(0))) {
        for (String i : p.getInputList()) {
          if (!i.isEmpty()) {
            stack.add(i);
          }
        }
      }
    }
    Set<String> usedInputs = new HashSet<>();
    GraphProto.Builder sub = GraphProto.newBuilder().setName("constants");
    for (NodeProto n : g.getNodeList()) {
      if (n.getOutputCount() > 0 && needed.contains(n.getOutput(0))) {
        sub.addNode(n);
        usedInputs.addAll(n.getInputList());
      }
    }
    for (TensorProto t : g.getInitializerList()) {
      if (usedInputs.contains(t.getName())) {
        sub.addInitializer(t);
        if (model.getIrVersion() < 4) {
          // Before IR 4 every initializer had to be listed as a graph input too.
          for (ValueInfoProto v : g.getInputList()) {
            if (v.getName().equals(t.getName())) {
              sub.addInput(v);
            }
          }
        }
      }
    }
    for (String n : names) {
      sub.addOutput(ValueInfoProto.newBuilder().setName(n));
    }
    ModelProto probe = model.toBuilder().setGraph(sub).build();
    Map<String, TensorProto> out = new HashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      so.setIntraOpNumThreads(1);
      so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
      try (OrtSession session = env.createSession(probe.toByteArray(), so);
          OrtSession.Result r = session.run(Map.of())) {
        for (Map.Entry<String, OnnxValue> e : r) {
          if (e.getValue() instanceof OnnxTensor t && t.getInfo().getNumElements() <= 64) {
            TensorProto v = toProto(e.getKey(), t);
            if (v != null) {
              out.put(e.getKey(), v);
            }
          }
        }
      }
    } catch (OrtException | RuntimeException e) {
      return Map.of();
    }
    return out;
  }

  private static TensorProto toProto(String name, OnnxTensor t) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name);
    for (long d : t.getInfo().getShape()) {
      b.addDims(d);
    }
    switch (t.getInfo().type) {
      case INT64 -> {
        b.setDataType(TensorProto.DataType.INT64.getNumber());
        LongBuffer lb = t.getLongBuffer();
        while (lb.hasRemaining()) {
          b.addInt64Data(lb.get());
        }
      }
      case FLOAT -> {
        b.setDataType(TensorProto.DataType.FLOAT.getNumber());
        FloatBuffer fb = t.getFloatBuffer();
        while (fb.hasRemaining()) {
          b.addFloatData(fb.get());
        }
      }
      case DOUBLE -> {
        b.setDataType(TensorProto.DataType.DOUBLE.getNumber());
        DoubleBuffer db = t.getDoubleBuffer();
        while (db.hasRemaining()) {
          b.addDoubleData(db.get());
        }
      }
      default -> {
        return null;
      }
    }
    return b.build();
  }

  /** An int64 tensor's values, or null for another type. */
  static long[] asLongs(TensorProto t) {
    if (t.getDataType() != TensorProto.DataType.INT64.getNumber()) {
      return null;
    }
    if (t.hasRawData()) {
      LongBuffer lb = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
      long[] v = new long[lb.remaining()];
      lb.get(v);
      return v;
    }
    long[] v = new long[t.getInt64DataCount()];
    for (int k = 0; k < v.length; k++) {
      v[k] = t.getInt64Data(k);
    }
    return v;
  }

  /** A float, double or int64 tensor's values as doubles, or null for another type. */
  static double[] asDoubles(TensorProto t) {
    int type = t.getDataType();
    if (type == TensorProto.DataType.FLOAT.getNumber()) {
      if (t.hasRawData()) {
        FloatBuffer fb = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        double[] v = new double[fb.remaining()];
        for (int k = 0; k < v.length; k++) {
          v[k] = fb.get(k);
        }
        return v;
      }
      double[] v = new double[t.getFloatDataCount()];
      for (int k = 0; k < v.length; k++) {
        v[k] = t.getFloatData(k);
      }
      return v;
    }
    if (type == TensorProto.DataType.DOUBLE.getNumber()) {
      if (t.hasRawData()) {
        DoubleBuffer db = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
        double[] v = new double[db.remaining()];
        db.get(v);
        return v;
      }
      double[] v = new double[t.getDoubleDataCount()];
      for (int k = 0; k < v.length; k++) {
        v[k] = t.getDoubleData(k);
      }
      return v;
    }
    long[] l = asLongs(t);
    if (l == null) {
      return null;
    }
    double[] v = new double[l.length];
    for (int k = 0; k < v.length; k++) {
      v[k] = l[k];
    }
    return v;
  }
}
