import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Benchmark probe (not part of maskserve; BENCHMARKS.md, ImageNet, "Two probes"): a generator
 * whose coarse keep map is modulated at full resolution by the image's local detail, to test
 * whether pixel-level ordering inside the generator's cells (what gradient maps have and a 28×28
 * map lacks) improves deletion and insertion. The new generator also reads the classifier's input
 * {@code input} ({@code [N,3,S,S]}, normalised) and outputs {@code up(keep) · (ε + D) / (1 + ε)} at
 * {@code S×S}, where {@code D} is the per-pixel detail, max over channels, averaged over 3×3 and
 * divided by its per-image maximum: {@code |x − gaussian(x)|} (kernel 11, σ 5, the insertion
 * metric's blur; mode {@code blur}) or {@code |x|} (distance from the dataset mean, where deletion
 * puts removed pixels; mode {@code mean}).
 *
 * <p>Usage (after the build, which puts model-zoo's {@code OnnxGraphBuilder} in cli/target/lib):
 * {@code java -cp "cli/target/lib/*" bench/probes/DetailModulation.java IN.onnx OUT.onnx EPS blur|mean
 * SIDE}.
 */
public class DetailModulation {
  public static void main(String[] args) throws Exception {
    if (args.length != 5 || !List.of("blur", "mean").contains(args[3])) {
      System.err.println("usage: DetailModulation IN.onnx OUT.onnx EPS blur|mean SIDE");
      System.exit(2);
    }
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(Path.of(args[0])));
    float eps = Float.parseFloat(args[2]);
    int side = Integer.parseInt(args[4]);
    GraphProto.Builder g = m.getGraph().toBuilder();
    ValueInfoProto out = g.getOutput(0);
    TensorShapeProto shape = out.getType().getTensorType().getShape();
    long cells = shape.getDim(3).getDimValue();
    if (cells <= 0 || side % cells != 0) {
      throw new IllegalArgumentException("the map's side " + cells + " must divide " + side);
    }
    String keep = out.getName();
    for (int k = 0; k < g.getNodeCount(); k++) {
      NodeProto n = g.getNode(k);
      if (n.getOutputList().contains(keep)) {
        g.setNode(k, n.toBuilder().setOutput(n.getOutputList().indexOf(keep), "detail/coarse").build());
      }
    }
    g.addInput(ValueInfoProto.newBuilder().setName("input").setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
            TensorShapeProto.newBuilder().addDim(shape.getDim(0)).addDim(dim(3)).addDim(dim(side)).addDim(dim(side))))));
    g.addInitializer(floats("detail/eps", new long[0], eps));
    g.addInitializer(floats("detail/tiny", new long[0], 1e-6f));
    g.addInitializer(floats("detail/denominator", new long[0], 1 + eps));
    float up = side / (float) cells;
    g.addInitializer(floats("detail/scales", new long[] {4}, 1, 1, up, up));
    if (args[3].equals("blur")) {
      float[] k1 = new float[11];
      double sum = 0;
      for (int t = 0; t < 11; t++) {
        k1[t] = (float) Math.exp(-(t - 5) * (t - 5) / 50.0);
        sum += k1[t];
      }
      float[] kernel = new float[3 * 121];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 11; y++) {
          for (int x = 0; x < 11; x++) {
            kernel[c * 121 + y * 11 + x] = (float) (k1[y] * k1[x] / (sum * sum));
          }
        }
      }
      g.addInitializer(floats("detail/gaussian", new long[] {3, 1, 11, 11}, kernel));
      g.addInitializer(TensorProto.newBuilder().setName("detail/pads").setDataType(TensorProto.DataType.INT64_VALUE)
          .addDims(8).addAllInt64Data(List.of(0L, 0L, 5L, 5L, 0L, 0L, 5L, 5L)));
      g.addNode(node("Pad", List.of("input", "detail/pads"), "detail/padded", str("mode", "reflect")));
      g.addNode(node("Conv", List.of("detail/padded", "detail/gaussian"), "detail/blur", intAttr("group", 3),
          ints("kernel_shape", 11, 11)));
      g.addNode(node("Sub", List.of("input", "detail/blur"), "detail/difference"));
    } else {
      g.addNode(node("Identity", List.of("input"), "detail/difference"));
    }
    g.addNode(node("Abs", List.of("detail/difference"), "detail/abs"));
    g.addNode(node("ReduceMax", List.of("detail/abs"), "detail/channels", ints("axes", 1), intAttr("keepdims", 1)));
    g.addNode(node("AveragePool", List.of("detail/channels"), "detail/smooth", ints("kernel_shape", 3, 3),
        ints("pads", 1, 1, 1, 1), intAttr("count_include_pad", 0)));
    g.addNode(node("ReduceMax", List.of("detail/smooth"), "detail/max", ints("axes", 1, 2, 3), intAttr("keepdims", 1)));
    g.addNode(node("Add", List.of("detail/max", "detail/tiny"), "detail/max_safe"));
    g.addNode(node("Div", List.of("detail/smooth", "detail/max_safe"), "detail/normalised"));
    g.addNode(node("Add", List.of("detail/normalised", "detail/eps"), "detail/shifted"));
    g.addNode(node("Div", List.of("detail/shifted", "detail/denominator"), "detail/factor"));
    g.addNode(node("Resize", List.of("detail/coarse", "", "detail/scales"), "detail/upsampled",
        str("mode", "nearest")));
    g.addNode(node("Mul", List.of("detail/upsampled", "detail/factor"), keep));
    ValueInfoProto.Builder ob = out.toBuilder();
    TensorShapeProto.Builder sb = ob.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
    sb.setDim(2, dim(side)).setDim(3, dim(side));
    g.setOutput(0, ob);
    Files.write(Path.of(args[1]), m.toBuilder().setGraph(g).build().toByteArray());
  }

  private static TensorShapeProto.Dimension dim(long v) {
    return TensorShapeProto.Dimension.newBuilder().setDimValue(v).build();
  }

  private static TensorProto floats(String name, long[] dims, float... v) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    for (long d : dims) {
      b.addDims(d);
    }
    for (float x : v) {
      b.addFloatData(x);
    }
    return b.build();
  }

  private static AttributeProto str(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(v)).build();
  }

  private static NodeProto node(String op, List<String> in, String out, AttributeProto... attributes) {
    NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(in).addOutput(out);
    for (AttributeProto a : attributes) {
      b.addAttribute(a);
    }
    return b.build();
  }
}
