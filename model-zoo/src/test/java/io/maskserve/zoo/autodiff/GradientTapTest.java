package io.maskserve.zoo.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.onnx.FeatureTaps;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.Preprocessor;
import io.maskserve.zoo.testing.SharedData;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gradient × input tap on the real ResNet-20: one run of the tapped classifier gives its own
 * logits and, per image, {@code Σ_c x·∂logit[top-1]/∂x}, checked against the plain augmented graph
 * fed the top-1 as its target and the product summed here.
 */
class GradientTapTest {

  static final int HW = 32 * 32;

  @Test
  void tapEqualsGradientTimesInputOfTheTopOneLogit() throws Exception {
    byte[] plain = SharedData.bytes(SharedData.resnet20Onnx());
    ModelProto model = ModelProto.parseFrom(plain);
    String pooled = GradientTap.pooled(4);
    ModelProto tapped = FeatureTaps.withOutputs(model, List.of(GradientTap.GRAD_X_INPUT, pooled));
    assertEquals(List.of("logits", GradientTap.GRAD_X_INPUT, pooled),
        tapped.getGraph().getOutputList().stream().map(o -> o.getName()).toList());
    assertEquals(List.of("input"), tapped.getGraph().getInputList().stream().map(o -> o.getName())
        .filter(n -> n.equals("input") || n.equals(Autodiff.TARGET)).toList());
    assertTrue(FeatureTaps.readableTensors(model).contains(GradientTap.GRAD_X_INPUT));

    Preprocessor pre = new Preprocessor(SharedData.cifar10Input());
    float[] a = pre.toTensor(ImageDecoder.decode(SharedData.bytes(SharedData.cifar10Image("cat", 800))));
    float[] b = pre.toTensor(ImageDecoder.decode(SharedData.bytes(SharedData.cifar10Image("ship", 801))));
    float[] x = new float[2 * 3 * HW];
    System.arraycopy(a, 0, x, 0, a.length);
    System.arraycopy(b, 0, x, a.length, b.length);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    ModelProto augmented = Autodiff.augment(model, AutodiffOptions.logit());
    try (OrtSession classifier = env.createSession(plain);
        OrtSession tap = env.createSession(tapped.toByteArray());
        OrtSession grads = env.createSession(augmented.toByteArray());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, 3, 32, 32});
        OrtSession.Result plainRun = classifier.run(Map.of("input", in));
        OrtSession.Result tapRun = tap.run(Map.of("input", in))) {
      float[][] logits = (float[][]) plainRun.get(0).getValue();
      float[][] tapLogits = (float[][]) tapRun.get(0).getValue();
      assertArrayEquals(logits[0], tapLogits[0]);
      assertArrayEquals(logits[1], tapLogits[1]);
      long[] top = {argMax(logits[0]), argMax(logits[1])};
      assertNotEquals(top[0], top[1], "the two images should be predicted as different classes");
      OnnxTensor gx = (OnnxTensor) tapRun.get(GradientTap.GRAD_X_INPUT).orElseThrow();
      assertArrayEquals(new long[] {2, 1, 32, 32}, gx.getInfo().getShape());
      float[] actual = new float[2 * HW];
      gx.getFloatBuffer().get(actual);

      float[] expected = new float[2 * HW];
      try (OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(top), new long[] {2});
          OrtSession.Result r = grads.run(Map.of("input", in, Autodiff.TARGET, t))) {
        FloatBuffer g = ((OnnxTensor) r.get(Autodiff.INPUT_GRAD).orElseThrow()).getFloatBuffer();
        for (int n = 0; n < 2; n++) {
          for (int c = 0; c < 3; c++) {
            for (int p = 0; p < HW; p++) {
              int k = (n * 3 + c) * HW + p;
              expected[n * HW + p] += x[k] * g.get(k);
            }
          }
        }
      }
      double norm = 0;
      for (float v : expected) {
        norm = Math.max(norm, Math.abs(v));
      }
      assertTrue(norm > 1e-3, "the gradient × input should not vanish on a real image");
      assertArrayEquals(expected, actual, (float) (1e-5 * norm));

      // The pooled variant: the mean over each 4x4 cell, [N,1,8,8].
      OnnxTensor cells = (OnnxTensor) tapRun.get(pooled).orElseThrow();
      assertArrayEquals(new long[] {2, 1, 8, 8}, cells.getInfo().getShape());
      float[] pooledValues = new float[2 * 64];
      cells.getFloatBuffer().get(pooledValues);
      for (int n = 0; n < 2; n++) {
        for (int cy = 0; cy < 8; cy++) {
          for (int cx = 0; cx < 8; cx++) {
            double sum = 0;
            for (int y = 4 * cy; y < 4 * cy + 4; y++) {
              for (int xx = 4 * cx; xx < 4 * cx + 4; xx++) {
                sum += expected[n * HW + y * 32 + xx];
              }
            }
            assertEquals(sum / 16, pooledValues[n * 64 + cy * 8 + cx], 1e-5 * norm);
          }
        }
      }
    }
  }

  @Test
  void poolsAreTheListedSizesOnly() {
    assertEquals("maskserve.grad_x_input.pool8", GradientTap.pooled(8));
    assertThrows(IllegalArgumentException.class, () -> GradientTap.pooled(3));
    assertTrue(GradientTap.anyIn(List.of("/layer1/Relu_output_0", GradientTap.pooled(2))));
    assertTrue(!GradientTap.anyIn(List.of("/layer1/Relu_output_0")));
  }

  @Test
  void aClassifierThatCannotBeDifferentiatedIsRefusedWithTheOpNamed() throws Exception {
    ModelProto model = ModelProto.parseFrom(SharedData.bytes(SharedData.resnet20Onnx()));
    // Replace the first ReLU by an op autodiff has no rule for.
    ModelProto.Builder b = model.toBuilder();
    for (int i = 0; i < b.getGraph().getNodeCount(); i++) {
      NodeProto n = b.getGraph().getNode(i);
      if (n.getOpType().equals("Relu")) {
        b.getGraphBuilder().setNode(i, n.toBuilder().setOpType("Softsign"));
        break;
      }
    }
    ModelProto broken = b.build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureTaps.withOutputs(broken, List.of(GradientTap.GRAD_X_INPUT)));
    assertTrue(e.getMessage().contains(GradientTap.GRAD_X_INPUT) && e.getMessage().contains("Softsign"),
        e.getMessage());
    // Without the tap the same classifier is fine: nothing is differentiated.
    assertEquals(1, FeatureTaps.withOutputs(broken, List.of()).getGraph().getOutputCount());
  }

  private static int argMax(float[] z) {
    int k = 0;
    for (int c = 1; c < z.length; c++) {
      k = z[c] > z[k] ? c : k;
    }
    return k;
  }
}
