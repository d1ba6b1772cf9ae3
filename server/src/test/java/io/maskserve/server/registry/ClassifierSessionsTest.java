package io.maskserve.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.TestData;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.autodiff.GradientTap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which sessions a classifier gets, and that folding its Pads leaves its logits as they were. */
class ClassifierSessionsTest {

  private static final String TAP = "/features/features.18/features.18.2/Clip_output_0";

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final SessionFactory sessions = new SessionFactory(env, Device.CPU, 1, 1);

  private static float[] image() {
    float[] x = new float[3 * 224 * 224];
    Random rnd = new Random(5);
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void mobileNetV2RunsWithItsPadsFoldedAndTheSameLogits() throws Exception {
    ClassifierSessions opened = ClassifierSessions.open(sessions, TestData.mobilenetOnnx(), List.of());
    try (OrtSession file = env.createSession(TestData.mobilenetOnnx().toString(), new OrtSession.SessionOptions());
        OrtSession served = opened.classify()) {
      assertEquals(5, opened.padsFolded());
      assertSame(opened.classify(), opened.features(), "no generator tensors: one session");
      float[] x = image();
      float[] expected = TestData.runFirstOutput(env, file, x, 1, 3, 224, 224);
      float[] actual = TestData.runFirstOutput(env, served, x, 1, 3, 224, 224);
      assertEquals(1000, actual.length);
      for (int k = 0; k < expected.length; k++) {
        assertEquals(expected[k], actual[k], 1e-4 * (1 + Math.abs(expected[k])), "logit " + k);
      }
    }
  }

  @Test
  void tapsWithoutABackwardPassShareOneSessionThatExposesThem() throws Exception {
    ClassifierSessions opened = ClassifierSessions.open(sessions, TestData.mobilenetOnnx(), List.of(TAP));
    try (OrtSession s = opened.classify()) {
      assertSame(opened.classify(), opened.features());
      assertEquals(5, opened.padsFolded());
      assertTrue(s.getOutputNames().contains(TAP), s.getOutputNames().toString());
    }
  }

  @Test
  void aGradientTapGetsItsOwnSessionBesideAPlainOne() throws Exception {
    ClassifierSessions opened =
        ClassifierSessions.open(sessions, TestData.resnetOnnx(), List.of(GradientTap.GRAD_X_INPUT));
    try (OrtSession plain = opened.classify(); OrtSession tapped = opened.features()) {
      assertNotSame(plain, tapped);
      assertEquals(0, opened.padsFolded(), "ResNet-20 has no Pad");
      assertEquals(1, plain.getOutputNames().size(), "the plain session outputs the logits only");
      assertTrue(tapped.getOutputNames().contains(GradientTap.GRAD_X_INPUT), tapped.getOutputNames().toString());
    }
  }
}
