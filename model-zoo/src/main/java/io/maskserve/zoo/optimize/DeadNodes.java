package io.maskserve.zoo.optimize;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Removes nodes none of whose outputs is read or protected, until none is left. */
final class DeadNodes {
  private DeadNodes() {}

  static List<NodeProto> prune(List<NodeProto> nodes, Set<String> protectedNames) {
    List<NodeProto> current = nodes;
    while (true) {
      Set<String> read = new HashSet<>(protectedNames);
      for (NodeProto n : current) {
        read.addAll(n.getInputList());
      }
      List<NodeProto> next = new ArrayList<>(current.size());
      for (NodeProto n : current) {
        boolean used = false;
        for (String o : n.getOutputList()) {
          used |= !o.isEmpty() && read.contains(o);
        }
        if (used) {
          next.add(n);
        }
      }
      if (next.size() == current.size()) {
        return next;
      }
      current = next;
    }
  }
}
