package io.maskserve.zoo.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.testing.SharedData;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Decodes and preprocesses 200 real CIFAR-10 evaluation images (files 0800-0819 of each class) and
 * classifies them with resnet20 in ONNX Runtime. The shared README reports 0.8103 on all 10,000;
 * wrong decoding or normalisation (BGR order, missing /255, wrong mean) drops far below 0.70.
 */
class AccuracySmokeTest {

  @Test
  void resnet20AccuracyOnTheEvaluationSplitIsSane() throws Exception {
    List<String> labels = SharedData.cifar10Labels();
    Preprocessor pre = new Preprocessor(SharedData.cifar10Input());
    int perClass = 20;
    int n = labels.size() * perClass;
    float[] batch = new float[n * pre.tensorLength()];
    int[] truth = new int[n];
    int i = 0;
    for (int c = 0; c < labels.size(); c++) {
      for (int k = 800; k < 800 + perClass; k++) {
        byte[] jpg = SharedData.bytes(SharedData.cifar10Image(labels.get(c), k));
        pre.normalize(pre.prepareImage(ImageDecoder.decode(jpg)), batch, i * pre.tensorLength());
        truth[i++] = c;
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(SharedData.resnet20Onnx().toString(), opts);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), new long[] {n, 3, 32, 32});
          OrtSession.Result r = session.run(Map.of("input", x))) {
        FloatBuffer logits = ((OnnxTensor) r.get(0)).getFloatBuffer();
        assertEquals(n * labels.size(), logits.remaining());
        int correct = 0;
        for (int j = 0; j < n; j++) {
          int best = 0;
          for (int c = 1; c < labels.size(); c++) {
            if (logits.get(j * labels.size() + c) > logits.get(j * labels.size() + best)) {
              best = c;
            }
          }
          if (best == truth[j]) {
            correct++;
          }
        }
        double accuracy = correct / (double) n;
        System.out.printf("resnet20 accuracy on %d cifar10-test images (0800-0819 per class): %.3f%n", n, accuracy);
        assertTrue(accuracy >= 0.70, "accuracy " + accuracy);
      }
    }
  }
}
