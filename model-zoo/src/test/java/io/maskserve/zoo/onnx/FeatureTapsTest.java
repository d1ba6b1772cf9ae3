package io.maskserve.zoo.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.testing.SharedData;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureTapsTest {

  static final String LAST_BLOCK = "/layer3/layer3.2/Relu_1_output_0";
  static final String STEM = "/Relu_output_0";

  @Test
  void tappedClassifierKeepsItsLogitsFirstAndAddsTheTensors() throws Exception {
    byte[] plain = SharedData.bytes(SharedData.resnet20Onnx());
    byte[] tapped = FeatureTaps.withOutputs(plain, List.of(LAST_BLOCK, STEM));
    ModelProto m = ModelProto.parseFrom(tapped);
    assertEquals(List.of("logits", LAST_BLOCK, STEM),
        m.getGraph().getOutputList().stream().map(o -> o.getName()).toList());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[] x = new float[2 * 3 * 32 * 32];
    Random r = new Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    try (OrtSession a = env.createSession(plain); OrtSession b = env.createSession(tapped);
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, 3, 32, 32});
        OrtSession.Result ra = a.run(Map.of("input", t)); OrtSession.Result rb = b.run(Map.of("input", t))) {
      float[][] la = (float[][]) ra.get(0).getValue();
      float[][] lb = (float[][]) rb.get(0).getValue();
      assertArrayEquals(la[0], lb[0]);
      assertArrayEquals(la[1], lb[1]);
      assertArrayEquals(new long[] {2, 64, 8, 8}, ((OnnxTensor) rb.get(LAST_BLOCK).orElseThrow()).getInfo().getShape());
      assertArrayEquals(new long[] {2, 16, 32, 32}, ((OnnxTensor) rb.get(STEM).orElseThrow()).getInfo().getShape());
    }
  }

  @Test
  void refusesTensorsTheGraphDoesNotComputeAndDuplicates() throws Exception {
    ModelProto m = ModelProto.parseFrom(SharedData.bytes(SharedData.resnet20Onnx()));
    assertTrue(FeatureTaps.computedTensors(m).contains(LAST_BLOCK));
    // The graph input and the weights are not computed tensors.
    assertTrue(!FeatureTaps.computedTensors(m).contains("input"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureTaps.withOutputs(m, List.of(LAST_BLOCK, "input")));
    assertTrue(e.getMessage().contains("[input]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FeatureTaps.withOutputs(m, List.of(LAST_BLOCK, LAST_BLOCK)));
    assertThrows(IllegalArgumentException.class,
        () -> FeatureTaps.withOutputs(m, java.util.Collections.nCopies(FeatureTaps.MAX_TAPS + 1, LAST_BLOCK)));
    // An existing output is not added twice.
    assertEquals(1, FeatureTaps.withOutputs(m, List.of("logits")).getGraph().getOutputCount());
  }
}
