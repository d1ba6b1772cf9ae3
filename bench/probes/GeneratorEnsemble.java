import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Benchmark probe (not part of maskserve; BENCHMARKS.md, ImageNet, "Two probes"): one generator
 * file whose keep map is the weighted mean of two generators' maps, both reading the classifier's
 * tensors they read on their own (their inputs are merged by name, so a tensor both read is fed
 * once). Both maps must have the same grid.
 *
 * <p>Usage: {@code java -cp "cli/target/lib/*" bench/probes/GeneratorEnsemble.java A.onnx B.onnx
 * OUT.onnx W arith|geo} — {@code W·a + (1 − W)·b} or {@code a^W · b^(1 − W)}.
 */
public class GeneratorEnsemble {
  public static void main(String[] args) throws Exception {
    if (args.length != 5 || !Set.of("arith", "geo").contains(args[4])) {
      System.err.println("usage: GeneratorEnsemble A.onnx B.onnx OUT.onnx W arith|geo");
      System.exit(2);
    }
    ModelProto a = ModelProto.parseFrom(Files.readAllBytes(Path.of(args[0])));
    ModelProto b = ModelProto.parseFrom(Files.readAllBytes(Path.of(args[1])));
    float w = Float.parseFloat(args[3]);
    boolean geometric = args[4].equals("geo");
    GraphProto.Builder g = a.getGraph().toBuilder();
    Set<String> aInputs = new HashSet<>();
    g.getInputList().forEach(v -> aInputs.add(v.getName()));
    GraphProto gb = b.getGraph();
    Set<String> bInputs = new HashSet<>();
    gb.getInputList().forEach(v -> bInputs.add(v.getName()));
    // B's internal names get a prefix; its inputs (classifier tensors) keep theirs.
    UnaryOperator<String> rename = n -> n.isEmpty() || bInputs.contains(n) ? n : "ensemble_b/" + n;
    for (ValueInfoProto v : gb.getInputList()) {
      if (!aInputs.contains(v.getName())) {
        g.addInput(v);
      }
    }
    gb.getInitializerList().forEach(t -> g.addInitializer(t.toBuilder().setName(rename.apply(t.getName()))));
    for (NodeProto n : gb.getNodeList()) {
      NodeProto.Builder nb = n.toBuilder().setName(rename.apply(n.getName())).clearInput().clearOutput();
      n.getInputList().forEach(x -> nb.addInput(rename.apply(x)));
      n.getOutputList().forEach(x -> nb.addOutput(rename.apply(x)));
      g.addNode(nb);
    }
    String out = g.getOutput(0).getName();
    for (int k = 0; k < a.getGraph().getNodeCount(); k++) {
      NodeProto n = g.getNode(k);
      if (n.getOutputList().contains(out)) {
        g.setNode(k, n.toBuilder().setOutput(n.getOutputList().indexOf(out), "ensemble_a/map").build());
      }
    }
    String mapB = rename.apply(gb.getOutput(0).getName());
    g.addInitializer(scalar("ensemble/wa", w)).addInitializer(scalar("ensemble/wb", 1 - w));
    String weigh = geometric ? "Pow" : "Mul";
    g.addNode(node(weigh, "ensemble_a/map", "ensemble/wa", "ensemble/a"));
    g.addNode(node(weigh, mapB, "ensemble/wb", "ensemble/b"));
    g.addNode(node(geometric ? "Mul" : "Add", "ensemble/a", "ensemble/b", out));
    Files.write(Path.of(args[2]), a.toBuilder().setGraph(g).build().toByteArray());
  }

  private static TensorProto scalar(String name, float v) {
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(v).build();
  }

  private static NodeProto node(String op, String x, String y, String out) {
    return NodeProto.newBuilder().setOpType(op).setName(out).addInput(x).addInput(y).addOutput(out).build();
  }
}
