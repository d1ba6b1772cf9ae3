package io.maskserve.zoo.sanity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.testing.SharedData;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParameterRandomizerTest {

  /** x[1,2,4,4] -> Conv(3 filters, 3x3, pad 1) -> Relu -> GlobalAveragePool -> Flatten -> Gemm(3 -> 2). */
  private static ModelProto tinyClassifier() {
    OnnxGraphBuilder b = new OnnxGraphBuilder("tiny");
    String x = b.floatInput("x", 1, 2, 4, 4);
    Random r = new Random(3);
    float[] w = new float[3 * 2 * 3 * 3];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian() * 0.5f;
    }
    String conv = b.node("Conv", List.of(x, b.floatInitializer("conv_w", w, 3, 2, 3, 3),
        b.floatInitializer("conv_b", new float[] {0.1f, -0.2f, 0.3f}, 3)), OnnxGraphBuilder.ints("pads", 1, 1, 1, 1));
    String pooled = b.node("GlobalAveragePool", List.of(b.node("Relu", List.of(conv))));
    String flat = b.node("Flatten", List.of(pooled));
    float[] fc = {1f, -1f, 0.5f, 2f, 0f, -0.5f};
    b.nodeTo("Gemm", List.of(flat, b.floatInitializer("fc_w", fc, 2, 3), b.floatInitializer("fc_b", new float[] {0f, 0f}, 2)),
        "logits", OnnxGraphBuilder.intAttr("transB", 1));
    b.floatOutput("logits", 1, 2);
    return b.buildModel(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  private static Map<String, float[]> params(ModelProto m) {
    Map<String, float[]> out = new HashMap<>();
    for (TensorProto t : m.getGraph().getInitializerList()) {
      out.put(t.getName(), ParameterRandomizer.floats(t));
    }
    return out;
  }

  @Test
  void findsTheLearnableLayersInGraphOrder() {
    ParameterRandomizer r = ParameterRandomizer.of(tinyClassifier());
    assertEquals(2, r.layers().size());
    assertEquals("Conv", r.layers().get(0).opType());
    assertEquals(List.of("conv_w", "conv_b"), r.layers().get(0).parameters());
    assertEquals("Gemm", r.layers().get(1).opType());
    assertEquals(List.of("fc_w", "fc_b"), r.layers().get(1).parameters());
  }

  @Test
  void cascadesFromTheLogitsDownAndKeepsEachLayersDraws() {
    ModelProto original = tinyClassifier();
    ParameterRandomizer r = ParameterRandomizer.of(original);
    Map<String, float[]> p0 = params(r.cascade(0, 7));
    Map<String, float[]> p1 = params(r.cascade(1, 7));
    Map<String, float[]> p2 = params(r.cascade(2, 7));
    Map<String, float[]> orig = params(original);
    for (String name : orig.keySet()) {
      assertArrayEquals(orig.get(name), p0.get(name), name + " unchanged at k = 0");
    }
    // k = 1: only the last layer (the logits' Gemm) is random.
    assertArrayEquals(orig.get("conv_w"), p1.get("conv_w"));
    assertFalse(java.util.Arrays.equals(orig.get("fc_w"), p1.get("fc_w")));
    // k = 2: the Gemm keeps the draws it had at k = 1, and the Conv is random too.
    assertArrayEquals(p1.get("fc_w"), p2.get("fc_w"));
    assertArrayEquals(p1.get("fc_b"), p2.get("fc_b"));
    assertFalse(java.util.Arrays.equals(orig.get("conv_w"), p2.get("conv_w")));
    // Another seed, other draws.
    assertFalse(java.util.Arrays.equals(p1.get("fc_w"), params(r.cascade(1, 8)).get("fc_w")));
    assertThrows(IllegalArgumentException.class, () -> r.cascade(3, 7));
    assertThrows(IllegalArgumentException.class, () -> r.cascade(-1, 7));
  }

  @Test
  void randomValuesHaveTheTrainedTensorsScale() {
    float[] trained = new float[4000];
    Random g = new Random(1);
    for (int i = 0; i < trained.length; i++) {
      trained[i] = 3f + (float) g.nextGaussian() * 0.2f;
    }
    TensorProto t = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(4000)
        .setRawData(com.google.protobuf.ByteString.copyFrom(le(trained))).build();
    float[] drawn = ParameterRandomizer.floats(ParameterRandomizer.randomise(t, new java.util.SplittableRandom(5)));
    double mean = 0;
    double sq = 0;
    for (float v : drawn) {
      mean += v;
      sq += v * v;
    }
    mean /= drawn.length;
    double std = Math.sqrt(sq / drawn.length - mean * mean);
    assertEquals(0, mean, 0.02, "zero mean");
    assertEquals(0.2, std, 0.02, "the trained tensor's standard deviation");
  }

  @Test
  void randomisedResNet20StillRunsAndChangesItsLogits() throws Exception {
    ModelProto resnet = ModelProto.parseFrom(Files.readAllBytes(SharedData.resnet20Onnx()));
    ParameterRandomizer r = ParameterRandomizer.of(resnet);
    // ResNet-20: 19 convolutions (the option-A shortcuts have no parameters) and the final Gemm.
    assertEquals(20, r.layers().size());
    assertEquals("Gemm", r.layers().get(19).opType());
    assertTrue(r.layers().subList(0, 19).stream().allMatch(l -> l.opType().equals("Conv")));
    float[] x = new float[3 * 32 * 32];
    Random g = new Random(2);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) g.nextGaussian();
    }
    float[] original = run(r.cascade(0, 1), x);
    float[] top = run(r.cascade(1, 1), x);
    float[] all = run(r.cascade(20, 1), x);
    assertEquals(10, top.length);
    assertFalse(java.util.Arrays.equals(original, top));
    for (float v : all) {
      assertTrue(Float.isFinite(v), "finite logits when every layer is random");
    }
  }

  private static float[] run(ModelProto m, float[] x) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, 32, 32});
        OrtSession.Result res = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
      FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }

  private static byte[] le(float[] v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }
}
