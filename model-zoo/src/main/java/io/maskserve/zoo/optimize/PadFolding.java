package io.maskserve.zoo.optimize;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Folds zero-padding {@code Pad} nodes into the {@code Conv} they feed: {@code Conv(Pad(x))} becomes
 * {@code Conv(x)} with the pad added to the convolution's own {@code pads}, which computes the same
 * values (zero padding is what a convolution's {@code pads} mean).
 *
 * <p>Why: PyTorch exports {@code F.pad} (asymmetric "same" padding before strided convolutions, as
 * in the shared MobileNetV2) as a {@code Pad} whose pad vector is computed by a small constant
 * subgraph. ONNX Runtime (1.23) does not fuse such a Pad into its convolution: it runs as its own kernel, between a
 * layout conversion out of and back into the blocked layout its convolutions use. On MobileNetV2 the
 * five Pads and the conversions around them were two fifths of the forward pass (BENCHMARKS.md, "Pad
 * folding").
 *
 * <p>A Pad is folded only when nothing else can tell: mode {@code constant} with value 0 (absent or a
 * constant zero), no {@code axes} input, no padding of the batch or channel axes, no negative pad,
 * its output read by exactly one node, that node a {@code Conv} (input 0, {@code auto_pad} NOTSET),
 * and the output neither a graph output nor in the caller's {@code keep} set. The pad vector must be
 * a constant: an initializer, a {@code Constant}, or computed only from those (evaluated once in ONNX
 * Runtime). Anything else leaves the Pad as it was, and a graph with subgraphs (If, Loop, Scan) is
 * left whole. The graph's inputs, outputs and every other
 * tensor name are unchanged; nodes whose outputs nothing reads any more (the pad vectors'
 * subgraphs, and any node that was dead already) are dropped, with the weights only they read.
 *
 * <p>Stateless.
 */
public final class PadFolding {

  /** Ops whose outputs are not a function of their inputs: never evaluated as constants. */
  private static final Set<String> NONDETERMINISTIC = Set.of("RandomNormal", "RandomUniform",
      "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli");

  private PadFolding() {}

  /**
   * The result of folding.
   *
   * @param model the folded model (the model given, itself, when nothing was folded)
   * @param folded how many Pad nodes were folded into their convolution
   */
  public record Folded(ModelProto model, int folded) {
    /** Validates. */
    public Folded {
      Objects.requireNonNull(model, "model");
    }
  }

  /**
   * Folds every foldable Pad of {@code model}'s main graph.
   *
   * @param keep tensor names that must survive (tensors a caller will ask for by name, beyond the
   *     graph outputs, which always survive)
   */
  public static Folded fold(ModelProto model, Collection<String> keep) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(keep, "keep");
    GraphProto g = model.getGraph();
    if (hasSubgraph(g)) {
      // A subgraph may read any outer tensor by name without listing it as an input: the readers
      // counted below would be incomplete, so control-flow models are left as they are.
      return new Folded(model, 0);
    }
    Map<String, Integer> readers = new HashMap<>();
    Map<String, NodeProto> reader = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      for (String i : n.getInputList()) {
        if (!i.isEmpty()) {
          readers.merge(i, 1, Integer::sum);
          reader.put(i, n);
        }
      }
    }
    Set<String> protectedNames = new HashSet<>(keep);
    for (ValueInfoProto o : g.getOutputList()) {
      protectedNames.add(o.getName());
    }
    // Candidates first (shape of the pattern), then the pad vectors they need, evaluated together.
    List<NodeProto> candidates = new ArrayList<>();
    Set<String> needed = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      if (!isCandidate(n, readers, reader, protectedNames)) {
        continue;
      }
      candidates.add(n);
      needed.add(n.getInput(1));
      if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
        needed.add(n.getInput(2));
      }
    }
    if (candidates.isEmpty()) {
      return new Folded(model, 0);
    }
    Map<String, TensorProto> constants = ConstantValues.of(model, needed, NONDETERMINISTIC);
    Map<String, long[]> newPads = new HashMap<>();
    Set<String> removed = new HashSet<>();
    for (NodeProto pad : candidates) {
      long[] pads = longs(constants.get(pad.getInput(1)));
      boolean zeroValue = pad.getInputCount() <= 2 || pad.getInput(2).isEmpty()
          || isZero(constants.get(pad.getInput(2)));
      NodeProto conv = reader.get(pad.getOutput(0));
      long[] merged = pads == null || !zeroValue ? null : merge(pads, conv);
      if (merged != null) {
        newPads.put(pad.getOutput(0), merged);
        removed.add(pad.getOutput(0));
      }
    }
    if (removed.isEmpty()) {
      return new Folded(model, 0);
    }
    GraphProto.Builder out = g.toBuilder().clearNode();
    Map<String, String> padInput = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      if (isRemovedPad(n, removed)) {
        padInput.put(n.getOutput(0), n.getInput(0));
      }
    }
    List<NodeProto> kept = new ArrayList<>();
    for (NodeProto n : g.getNodeList()) {
      if (isRemovedPad(n, removed)) {
        continue;
      }
      if (n.getOpType().equals("Conv") && n.getInputCount() > 0 && removed.contains(n.getInput(0))) {
        String padded = n.getInput(0);
        NodeProto.Builder c = n.toBuilder().setInput(0, padInput.get(padded)).clearAttribute();
        for (AttributeProto a : n.getAttributeList()) {
          if (!a.getName().equals("pads")) {
            c.addAttribute(a);
          }
        }
        c.addAttribute(AttributeProto.newBuilder().setName("pads")
            .setType(AttributeProto.AttributeType.INTS).addAllInts(boxed(newPads.get(padded))).build());
        kept.add(c.build());
      } else {
        kept.add(n);
      }
    }
    List<NodeProto> live = DeadNodes.prune(kept, protectedNames);
    out.addAllNode(live);
    // Weights only the dropped pad-vector nodes read would make ONNX Runtime warn at load time.
    Set<String> read = new HashSet<>(protectedNames);
    for (NodeProto n : live) {
      read.addAll(n.getInputList());
    }
    for (ValueInfoProto v : g.getInputList()) {
      read.add(v.getName());
    }
    out.clearInitializer();
    for (TensorProto t : g.getInitializerList()) {
      if (read.contains(t.getName())) {
        out.addInitializer(t);
      }
    }
    out.clearValueInfo();
    Set<String> computed = new HashSet<>();
    for (NodeProto n : live) {
      computed.addAll(n.getOutputList());
    }
    for (ValueInfoProto v : g.getValueInfoList()) {
      if (computed.contains(v.getName())) {
        out.addValueInfo(v);
      }
    }
    return new Folded(model.toBuilder().setGraph(out).build(), removed.size());
  }

  private static boolean hasSubgraph(GraphProto g) {
    for (NodeProto n : g.getNodeList()) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasG() || a.getGraphsCount() > 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isRemovedPad(NodeProto n, Set<String> removed) {
    return n.getOpType().equals("Pad") && n.getOutputCount() == 1 && removed.contains(n.getOutput(0));
  }

  private static boolean isCandidate(NodeProto n, Map<String, Integer> readers, Map<String, NodeProto> reader,
      Set<String> protectedNames) {
    if (!n.getOpType().equals("Pad") || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
        || n.getInputCount() < 2 || n.getInput(1).isEmpty() || n.getOutputCount() != 1) {
      return false;
    }
    if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
      return false; // axes (opset 18+): rare in exports, not worth the bookkeeping
    }
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("mode") && !a.getS().toStringUtf8().equals("constant")) {
        return false;
      }
    }
    String out = n.getOutput(0);
    if (protectedNames.contains(out) || readers.getOrDefault(out, 0) != 1) {
      return false;
    }
    NodeProto c = reader.get(out);
    if (!c.getOpType().equals("Conv") || !(c.getDomain().isEmpty() || c.getDomain().equals("ai.onnx"))
        || !c.getInput(0).equals(out)) {
      return false;
    }
    for (AttributeProto a : c.getAttributeList()) {
      if (a.getName().equals("auto_pad") && !a.getS().toStringUtf8().equals("NOTSET")) {
        return false;
      }
    }
    return true;
  }

  /**
   * The Conv's pads with the Pad's spatial pads added, or null when the Pad touches the batch or
   * channel axes, removes anything, or does not match the Conv's rank.
   */
  private static long[] merge(long[] pads, NodeProto conv) {
    if (pads.length % 2 != 0 || pads.length < 6) {
      return null;
    }
    int rank = pads.length / 2;
    int spatial = rank - 2;
    if (pads[0] != 0 || pads[1] != 0 || pads[rank] != 0 || pads[rank + 1] != 0) {
      return null;
    }
    long[] convPads = new long[2 * spatial];
    for (AttributeProto a : conv.getAttributeList()) {
      if (a.getName().equals("pads")) {
        if (a.getIntsCount() != 2 * spatial) {
          return null;
        }
        for (int k = 0; k < convPads.length; k++) {
          convPads[k] = a.getInts(k);
        }
      }
      if (a.getName().equals("kernel_shape") && a.getIntsCount() != spatial) {
        return null;
      }
    }
    for (int k = 0; k < spatial; k++) {
      long begin = pads[2 + k];
      long end = pads[rank + 2 + k];
      if (begin < 0 || end < 0) {
        return null;
      }
      convPads[k] += begin;
      convPads[spatial + k] += end;
    }
    return convPads;
  }

  private static boolean isZero(TensorProto t) {
    if (t == null) {
      return false;
    }
    double[] v = ConstantValues.asDoubles(t);
    if (v == null || v.length != 1) {
      return false;
    }
    return v[0] == 0.0;
  }

  private static List<Long> boxed(long[] v) {
    List<Long> out = new ArrayList<>(v.length);
    for (long x : v) {
      out.add(x);
    }
    return out;
  }

  private static long[] longs(TensorProto t) {
    return t == null ? null : ConstantValues.asLongs(t);
  }
}
