package io.maskserve.zoo.optimize;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.testing.SharedData;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link PadFolding}: folded graphs compute what the original computes (run side by side in ONNX
 * Runtime), and every Pad that is not a plain zero padding of one convolution's input is left alone.
 */
class PadFoldingTest {

  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
  private static final long[] SHAPE = {2, 3, 9, 11};

  /** x [N,3,9,11] → Pad(pads from {@code padsFrom}) → Conv(4 filters 3×3, stride 2, pads 1,0,0,1) → y. */
  private static ModelProto padConv(Function<OnnxGraphBuilder, List<String>> padInputs, AttributeProto... padAttrs) {
    OnnxGraphBuilder b = new OnnxGraphBuilder("pad-conv");
    String x = b.floatInput("x", "N", 3, 9, 11);
    List<String> in = new ArrayList<>();
    in.add(x);
    in.addAll(padInputs.apply(b));
    String padded = b.nodeTo("Pad", in, "padded", padAttrs);
    float[] w = new float[4 * 3 * 3 * 3];
    Random rnd = new Random(3);
    for (int k = 0; k < w.length; k++) {
      w[k] = (float) rnd.nextGaussian();
    }
    b.floatInitializer("w", w, 4, 3, 3, 3);
    b.nodeTo("Conv", List.of(padded, "w"), "y", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
        ints("pads", 1, 0, 0, 1));
    b.floatOutput("y");
    return b.buildModel(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  private static List<String> pads(OnnxGraphBuilder b, long... pads) {
    return List.of(b.int64Initializer("pads", pads, pads.length));
  }

  private static long count(ModelProto m, String op) {
    return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
  }

  private static float[] run(ModelProto m, long[] shape, String output) throws Exception {
    int size = 1;
    for (long d : shape) {
      size *= (int) d;
    }
    float[] x = new float[size];
    Random rnd = new Random(11);
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) rnd.nextGaussian();
    }
    try (OrtSession s = ENV.createSession(m.toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor t = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), shape);
        OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t), Set.of(output))) {
      FloatBuffer fb = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }

  private static void assertFoldedSame(ModelProto original, int expectedFolds) throws Exception {
    PadFolding.Folded f = PadFolding.fold(original, List.of());
    assertEquals(expectedFolds, f.folded());
    assertEquals(count(original, "Pad") - expectedFolds, count(f.model(), "Pad"));
    float[] a = run(original, SHAPE, "y");
    float[] b = run(f.model(), SHAPE, "y");
    assertEquals(a.length, b.length);
    for (int k = 0; k < a.length; k++) {
      assertEquals(a[k], b[k], 1e-5 * (1 + Math.abs(a[k])), "element " + k);
    }
  }

  private static long[] convPads(ModelProto m) {
    for (NodeProto n : m.getGraph().getNodeList()) {
      if (n.getOpType().equals("Conv")) {
        for (AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("pads")) {
            return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
          }
        }
      }
    }
    throw new AssertionError("no Conv with pads");
  }

  @Test
  void asymmetricPadFromAnInitializerIsAddedToTheConvolutionsPads() throws Exception {
    ModelProto m = padConv(b -> pads(b, 0, 0, 1, 2, 0, 0, 2, 1));
    assertFoldedSame(m, 1);
    ModelProto folded = PadFolding.fold(m, List.of()).model();
    // [top, left, bottom, right]: the conv's 1,0,0,1 plus the Pad's 1,2 (begin) and 2,1 (end).
    assertArrayEquals(new long[] {2, 2, 2, 2}, convPads(folded));
    assertEquals(0, folded.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("pads")).count(),
        "the pad vector, read by nothing any more, is dropped");
  }

  @Test
  void padVectorComputedFromConstantsIsEvaluatedAndItsNodesDropped() throws Exception {
    // As PyTorch writes F.pad: the vector computed from constants (here int32 Constant → Cast).
    ModelProto m = padConv(b -> {
      TensorProto v = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT32.getNumber()).addDims(8)
          .addAllInt32Data(List.of(0, 0, 0, 0, 0, 0, 1, 1)).build();
      String c = b.node("Constant", List.of(), AttributeProto.newBuilder().setName("value")
          .setType(AttributeProto.AttributeType.TENSOR).setT(v).build());
      return List.of(b.node("Cast", List.of(c), OnnxGraphBuilder.intAttr("to", 7)), b.floatScalar("zero", 0f));
    });
    assertFoldedSame(m, 1);
    ModelProto folded = PadFolding.fold(m, List.of()).model();
    assertEquals(List.of("Conv"), folded.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
    assertArrayEquals(new long[] {1, 0, 1, 2}, convPads(folded));
  }

  @Test
  void padsThatAreNotAPlainZeroPaddingOfOneConvolutionAreLeftAlone() throws Exception {
    List<ModelProto> untouched = List.of(
        // a non-zero fill value
        padConv(b -> List.of(b.int64Initializer("pads", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8),
            b.floatScalar("fill", 0.5f))),
        // reflection
        padConv(b -> pads(b, 0, 0, 1, 1, 0, 0, 1, 1), stringAttr("mode", "reflect")),
        // the channel axis
        padConv(b -> pads(b, 0, 1, 0, 0, 0, 0, 0, 0)),
        // a crop (negative pad)
        padConv(b -> pads(b, 0, 0, -1, 0, 0, 0, 1, 1)),
        // pads computed from the input's shape: not a constant
        padConv(b -> {
          String shape = b.node("Shape", List.of("x"));
          String start = b.int64Initializer("s0", new long[] {0}, 1);
          String end = b.int64Initializer("s1", new long[] {1}, 1);
          String n = b.node("Slice", List.of(shape, start, end));
          String zero = b.int64Initializer("z", new long[] {0}, 1);
          String nz = b.node("Mul", List.of(n, zero));
          return List.of(b.node("Concat", List.of(nz, nz, nz, nz, nz, nz, nz, nz), OnnxGraphBuilder.intAttr("axis", 0)));
        }));
    for (ModelProto m : untouched) {
      PadFolding.Folded f = PadFolding.fold(m, List.of());
      assertEquals(0, f.folded(), m.getGraph().getNodeList().toString());
      assertSame(m, f.model());
    }
  }

  @Test
  void aPadWhoseOutputIsReadElsewhereOrKeptSurvives() throws Exception {
    ModelProto m = padConv(b -> pads(b, 0, 0, 1, 1, 0, 0, 1, 1));
    // kept by name (a tensor a generator reads)
    assertEquals(0, PadFolding.fold(m, List.of("padded")).folded());
    // a graph output
    ModelProto out = m.toBuilder().setGraph(m.getGraph().toBuilder()
        .addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("padded"))).build();
    assertEquals(0, PadFolding.fold(out, List.of()).folded());
    // read by a second node
    ModelProto twice = m.toBuilder().setGraph(m.getGraph().toBuilder()
        .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("padded").addOutput("r"))
        .addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("r"))).build();
    assertEquals(0, PadFolding.fold(twice, List.of()).folded());
  }

  @Test
  void aGraphWithASubgraphIsLeftWhole() {
    ModelProto m = padConv(b -> pads(b, 0, 0, 1, 1, 0, 0, 1, 1));
    // An If whose branch reads the padded tensor from the outer scope, without naming it as an input.
    ai.onnx.proto.OnnxMl.GraphProto branch = ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("branch")
        .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("padded").addOutput("seen"))
        .addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("seen")).build();
    ModelProto withIf = m.toBuilder().setGraph(m.getGraph().toBuilder()
        .addInitializer(TensorProto.newBuilder().setName("cond").setDataType(TensorProto.DataType.BOOL.getNumber())
            .addInt32Data(1))
        .addNode(NodeProto.newBuilder().setOpType("If").addInput("cond").addOutput("branched")
            .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH)
                .setG(branch))
            .addAttribute(AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH)
                .setG(branch)))
        .addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("branched"))).build();
    PadFolding.Folded f = PadFolding.fold(withIf, List.of());
    assertEquals(0, f.folded());
    assertSame(withIf, f.model());
  }

  @Test
  void mobileNetV2sFivePaddedStridedConvolutionsFoldWithTheSameLogits() throws Exception {
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(
        SharedData.root().resolve("models/mobilenet_v2-imagenet/model.onnx")));
    PadFolding.Folded f = PadFolding.fold(m, List.of());
    assertEquals(5, f.folded());
    assertEquals(0, count(f.model(), "Pad"));
    assertTrue(f.model().getGraph().getNodeCount() < m.getGraph().getNodeCount() - 5,
        "the nodes computing the pad vectors are dropped too");
    String out = m.getGraph().getOutput(0).getName();
    float[] a = run(m, new long[] {2, 3, 224, 224}, out);
    float[] b = run(f.model(), new long[] {2, 3, 224, 224}, out);
    for (int k = 0; k < a.length; k++) {
      assertEquals(a[k], b[k], 1e-4 * (1 + Math.abs(a[k])), "logit " + k);
    }
  }

  private static AttributeProto stringAttr(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }
}
