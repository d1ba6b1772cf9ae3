package io.maskserve.trainer.reinforce;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.SynthTask;
import java.util.SplittableRandom;

/**
 * What objective tests share: an untrained 32×32 synthetic classifier in ONNX Runtime, a batch of
 * synthetic scenes explained for its top-1, and keep probabilities away from 0 and 1.
 */
final class ObjectiveFixture implements AutoCloseable {

  final OrtClassifier classifier;
  final Objective.Batch batch;

  /** {@code n} synthetic scenes (seed 8) and the classifier's top-1 on each. */
  ObjectiveFixture(int n) throws Exception {
    byte[] onnx = io.maskserve.trainer.testing.TinyClassifiers.untrainedSynth(32);
    LabelledImages data = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(32), 8), 0, n,
        SynthTask.inputSpec(32));
    classifier = new OrtClassifier(OrtEnvironment.getEnvironment(), onnx, 32, 32, 1, 64);
    batch = new Objective.Batch(data.pixels(), n, 32, 32, classifier.top1(data.pixels(), n));
  }

  /** {@code count} probabilities uniform in [0.2, 0.8], from {@code seed}. */
  static float[] probabilities(int count, long seed) {
    float[] probs = new float[count];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < probs.length; i++) {
      probs[i] = (float) (0.2 + 0.6 * r.nextDouble());
    }
    return probs;
  }

  @Override
  public void close() throws Exception {
    classifier.close();
  }
}
