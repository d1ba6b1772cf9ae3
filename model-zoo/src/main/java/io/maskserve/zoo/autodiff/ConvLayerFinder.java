package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The feature maps of a classifier graph, for Grad-CAM: every node output that is a 4-D tensor
 * {@code [N,K,h,w]} with fixed {@code K,h,w}, and among them the outputs of {@code Conv} nodes.
 * {@link #lastConv()} is the layer Grad-CAM uses by default: the output of the last {@code Conv}
 * node, in the graph's (topological, as ONNX requires) order, whose spatial size {@code h*w} is
 * above 1 (a 1x1 map would give a constant heat map).
 *
 * <p>Shapes come from running the graph once in ONNX Runtime (the same probe autodiff uses to fold
 * shapes), because exporters rarely write intermediate shapes; where the probe cannot run (a
 * dynamic spatial input size), the graph's declared {@code value_info} shapes are used. Immutable.
 */
public final class ConvLayerFinder {

  private final Map<String, long[]> featureMaps;
  private final List<String> convLayers;

  private ConvLayerFinder(Map<String, long[]> featureMaps, List<String> convLayers) {
    this.featureMaps = Collections.unmodifiableMap(featureMaps);
    this.convLayers = List.copyOf(convLayers);
  }

  /**
   * Analyses {@code model} (runs it once in ONNX Runtime when its input size is fixed).
   *
   * @throws IllegalArgumentException if the model has no graph or no input
   */
  public static ConvLayerFinder of(ModelProto model) {
    Objects.requireNonNull(model, "model");
    if (!model.hasGraph()) {
      throw new IllegalArgumentException("the model has no graph");
    }
    GraphProto graph = model.getGraph();
    String input = imageInput(graph);
    StaticShapes probed = StaticShapes.probe(model, input);
    Map<String, TensorShapeProto> declared = new LinkedHashMap<>();
    for (ValueInfoProto vi : graph.getValueInfoList()) {
      declared.put(vi.getName(), vi.getType().getTensorType().getShape());
    }
    for (ValueInfoProto vi : graph.getOutputList()) {
      declared.put(vi.getName(), vi.getType().getTensorType().getShape());
    }
    Map<String, long[]> maps = new LinkedHashMap<>();
    List<String> convs = new ArrayList<>();
    for (NodeProto node : graph.getNodeList()) {
      for (String out : node.getOutputList()) {
        if (out.isEmpty()) {
          continue;
        }
        long[] chw = featureShape(probed.get(out));
        if (chw == null) {
          chw = featureShape(declared.get(out));
        }
        if (chw == null) {
          continue;
        }
        maps.put(out, chw);
        if (node.getOpType().equals("Conv") && node.getDomain().isEmpty() && chw[1] * chw[2] > 1) {
          convs.add(out);
        }
      }
    }
    return new ConvLayerFinder(maps, convs);
  }

  /** The first graph input that is not an initializer: the image. */
  private static String imageInput(GraphProto graph) {
    Set<String> inits = new HashSet<>();
    for (TensorProto t : graph.getInitializerList()) {
      inits.add(t.getName());
    }
    for (ValueInfoProto vi : graph.getInputList()) {
      if (!inits.contains(vi.getName())) {
        return vi.getName();
      }
    }
    throw new IllegalArgumentException("the model has no input");
  }

  /** {@code {K,h,w}} of a probed 4-D shape whose non-batch dimensions are fixed, else null. */
  private static long[] featureShape(StaticShapes.Dims d) {
    if (d == null || d.rank() != 4 || d.perN()[1] || d.perN()[2] || d.perN()[3]) {
      return null;
    }
    long[] s = d.dims();
    return s[1] > 0 && s[2] > 0 && s[3] > 0 ? new long[] {s[1], s[2], s[3]} : null;
  }

  /** {@code {K,h,w}} of a declared 4-D shape whose non-batch dimensions are fixed, else null. */
  private static long[] featureShape(TensorShapeProto s) {
    if (s == null || s.getDimCount() != 4) {
      return null;
    }
    long[] chw = new long[3];
    for (int k = 1; k < 4; k++) {
      if (!s.getDim(k).hasDimValue() || s.getDim(k).getDimValue() <= 0) {
        return null;
      }
      chw[k - 1] = s.getDim(k).getDimValue();
    }
    return chw;
  }

  /**
   * The output of the last {@code Conv} node with spatial size above 1, if the graph has one whose
   * shape is known.
   */
  public Optional<String> lastConv() {
    return convLayers.isEmpty() ? Optional.empty() : Optional.of(convLayers.get(convLayers.size() - 1));
  }

  /** Outputs of the {@code Conv} nodes with spatial size above 1, in graph order. */
  public List<String> convLayers() {
    return convLayers;
  }

  /** Whether {@code tensor} is a node output of shape {@code [N,K,h,w]} with known {@code K,h,w}. */
  public boolean isFeatureMap(String tensor) {
    return featureMaps.containsKey(tensor);
  }

  /** {@code {K,h,w}} of the feature map {@code tensor}, if it is one (see {@link #isFeatureMap}). */
  public Optional<long[]> featureShape(String tensor) {
    long[] s = featureMaps.get(tensor);
    return s == null ? Optional.empty() : Optional.of(s.clone());
  }

  /**
   * Up to {@code n} layer names to suggest when a requested layer is not a feature map: the last
   * {@code Conv} outputs, latest first.
   */
  public List<String> suggestions(int n) {
    List<String> out = new ArrayList<>();
    for (int i = convLayers.size() - 1; i >= 0 && out.size() < n; i--) {
      out.add(convLayers.get(i));
    }
    return out;
  }
}
