package io.maskserve.zoo.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.maskserve.zoo.autodiff.GradientTap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Exposes intermediate tensors of a classifier as extra graph outputs, so that one forward pass
 * yields both the logits and the features a feature-reading generator decodes (see {@link
 * io.maskserve.zoo.GeneratorSpec#features}). The graph is otherwise unchanged: the original
 * outputs keep their positions (the logits stay output 0) and the taps are appended after them,
 * in the order asked. ONNX Runtime computes those tensors anyway on the way to the logits, so a
 * tapped pass costs the copy of the tapped values only.
 *
 * <p>One more tensor can be read although the classifier's graph does not compute it: {@value
 * GradientTap#GRAD_X_INPUT}, the top-1 logit's gradient × input (or a pooled variant, {@link
 * GradientTap#pooled}). Asking for it replaces the graph
 * by the one {@link GradientTap#withGradXInput} builds (the same outputs, plus a backward pass), so
 * it comes from the same single run.
 *
 * <p>Stateless.
 */
public final class FeatureTaps {

  /** Most tensors one generator may read: each is copied out of every classification call. */
  public static final int MAX_TAPS = 8;

  private FeatureTaps() {}

  /** Names of the tensors computed by the nodes of {@code model}'s main graph (not its inputs or weights). */
  public static Set<String> computedTensors(ModelProto model) {
    Set<String> out = new LinkedHashSet<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      for (String o : n.getOutputList()) {
        if (!o.isEmpty()) {
          out.add(o);
        }
      }
    }
    return out;
  }

  /**
   * Names of the tensors a generator may read from {@code model}: those {@link #computedTensors}
   * gives plus {@value GradientTap#GRAD_X_INPUT} and its pooled variants (whether the classifier can be differentiated is
   * checked when a generator asks for it, by {@link #withOutputs}).
   */
  public static Set<String> readableTensors(ModelProto model) {
    Set<String> out = computedTensors(model);
    out.addAll(GradientTap.names());
    return out;
  }

  /**
   * {@code model} with {@code tensors} appended to its graph outputs (a tensor that already is an
   * output is not added twice).
   *
   * @throws IllegalArgumentException naming a tensor the graph does not compute, or when more than
   *     {@value #MAX_TAPS} are asked or one is asked twice, or when a {@link GradientTap} tensor is
   *     asked of a classifier that cannot be differentiated
   */
  public static ModelProto withOutputs(ModelProto model, List<String> tensors) {
    Objects.requireNonNull(model, "model");
    if (tensors.size() > MAX_TAPS) {
      throw new IllegalArgumentException("at most " + MAX_TAPS + " classifier tensors can be read, got "
          + tensors.size());
    }
    if (new HashSet<>(tensors).size() != tensors.size()) {
      throw new IllegalArgumentException("a classifier tensor is named twice: " + tensors);
    }
    Set<String> computed = computedTensors(model);
    if (GradientTap.anyIn(tensors) && !computed.contains(GradientTap.GRAD_X_INPUT)) {
      try {
        model = GradientTap.withGradXInput(model, tensors);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cannot compute " + GradientTap.GRAD_X_INPUT
            + " for this classifier: " + e.getMessage(), e);
      }
      computed = computedTensors(model);
    }
    GraphProto graph = model.getGraph();
    Set<String> outputs = new HashSet<>();
    graph.getOutputList().forEach(o -> outputs.add(o.getName()));
    GraphProto.Builder g = graph.toBuilder();
    List<String> missing = new ArrayList<>();
    for (String t : tensors) {
      if (!computed.contains(t)) {
        missing.add(t);
      } else if (!outputs.contains(t)) {
        // Name only: ONNX Runtime infers the type and shape of a graph output from its producer.
        g.addOutput(ValueInfoProto.newBuilder().setName(t).build());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("the classifier computes no tensor named " + missing
          + " (a feature tensor must be the output of one of its graph's nodes)");
    }
    return model.toBuilder().setGraph(g).build();
  }

  /** As {@link #withOutputs(ModelProto, List)} on serialized models. */
  public static byte[] withOutputs(byte[] onnx, List<String> tensors) {
    try {
      return withOutputs(ModelProto.parseFrom(onnx), tensors).toByteArray();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
  }
}
