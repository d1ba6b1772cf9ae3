package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;

/** Reading node attributes, and building attributes of emitted nodes. */
final class Attrs {
  private Attrs() {}

  static AttributeProto find(NodeProto node, String name) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  static long i(NodeProto node, String name, long dflt) {
    AttributeProto a = find(node, name);
    return a == null ? dflt : a.getI();
  }

  static float f(NodeProto node, String name, float dflt) {
    AttributeProto a = find(node, name);
    return a == null ? dflt : a.getF();
  }

  static String s(NodeProto node, String name, String dflt) {
    AttributeProto a = find(node, name);
    return a == null ? dflt : a.getS().toStringUtf8();
  }

  /** The INTS attribute, or null when absent. */
  static long[] ints(NodeProto node, String name) {
    AttributeProto a = find(node, name);
    if (a == null) {
      return null;
    }
    long[] v = new long[a.getIntsCount()];
    for (int k = 0; k < v.length; k++) {
      v[k] = a.getInts(k);
    }
    return v;
  }

  static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  static AttributeProto floatAttr(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }

  static AttributeProto intsAttr(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  static String nodeName(NodeProto node) {
    if (!node.getName().isEmpty()) {
      return node.getName();
    }
    return node.getOutputCount() > 0 ? node.getOutput(0) : "?";
  }
}
