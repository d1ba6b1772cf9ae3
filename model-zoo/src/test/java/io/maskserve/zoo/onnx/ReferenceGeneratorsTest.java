package io.maskserve.zoo.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.Preprocessor;
import io.maskserve.zoo.testing.SharedData;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceGeneratorsTest {

  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  /** Runs the generator on 4 real CIFAR images and checks shape, range and variation. */
  private static float[] runOnRealImages(byte[] model, int oh, int ow) throws Exception {
    InputSpec spec = SharedData.cifar10Input();
    Preprocessor pre = new Preprocessor(spec);
    List<String> classes = List.of("airplane", "cat", "ship", "truck");
    float[] batch = new float[classes.size() * pre.tensorLength()];
    for (int i = 0; i < classes.size(); i++) {
      pre.normalize(pre.prepareImage(ImageDecoder.decode(SharedData.bytes(SharedData.cifar10Image(classes.get(i), 800)))),
          batch, i * pre.tensorLength());
    }
    try (OrtSession s = ENV.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor x = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(batch), new long[] {classes.size(), 3, 32, 32});
        OrtSession.Result r = s.run(Map.of(ReferenceGenerators.INPUT_NAME, x))) {
      OnnxTensor out = (OnnxTensor) r.get(ReferenceGenerators.OUTPUT_NAME).orElseThrow();
      assertArrayEquals(new long[] {classes.size(), 1, oh, ow}, out.getInfo().getShape());
      FloatBuffer fb = out.getFloatBuffer();
      float[] v = new float[fb.remaining()];
      fb.get(v);
      return v;
    }
  }

  @Test
  void fullResolutionMapIsInRangeAndVaried() throws Exception {
    float[] v = runOnRealImages(ReferenceGenerators.contrastGenerator(SharedData.cifar10Input(), 32, 32), 32, 32);
    assertRangeAndVaried(v);
  }

  @Test
  void coarseMapIsInRangeAndVaried() throws Exception {
    float[] v = runOnRealImages(ReferenceGenerators.contrastGenerator(SharedData.cifar10Input(), 8, 8), 8, 8);
    assertRangeAndVaried(v);
  }

  private static void assertRangeAndVaried(float[] v) {
    double sum = 0;
    double sq = 0;
    int above = 0;
    for (float f : v) {
      assertTrue(f >= 0f && f <= 1f, "value " + f);
      sum += f;
      sq += f * f;
      if (f >= 0.35f) {
        above++;
      }
    }
    double mean = sum / v.length;
    double std = Math.sqrt(sq / v.length - mean * mean);
    System.out.printf("reference generator: mean %.3f std %.3f kept@0.35 %.3f%n", mean, std, above / (double) v.length);
    assertTrue(std > 0.08, "map should vary across pixels/images, std " + std);
    assertTrue(mean > 0.2 && mean < 0.8, "mean keep probability " + mean);
    assertTrue(above > 0 && above < v.length, "threshold 0.35 should keep some pixels and drop others");
  }

  @Test
  void rejectsNonDividingOutputSize() {
    assertThrows(IllegalArgumentException.class,
        () -> ReferenceGenerators.contrastGenerator(SharedData.cifar10Input(), 5, 5));
  }
}
