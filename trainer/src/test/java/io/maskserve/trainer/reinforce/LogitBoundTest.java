package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.SynthTask;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link TrainerConfig#logitBound}: keep probabilities stop saturating where the bound bites. */
class LogitBoundTest {

  /** Rewards keeping every cell, without limit: −mean log p, unclipped, drives every logit up. */
  private static final class KeepEverything implements Objective {
    @Override
    public Outcome loss(Batch batch, NDArray probs, SplittableRandom rng, NDManager manager, double progress) {
      return new Outcome(probs.log().mean().neg(), 0, 0, 0);
    }

    @Override
    public float threshold() {
      return 0.5f;
    }
  }

  @Test
  void theBoundHoldsLogitsNearItWhereTheUnboundedRunSaturates() throws Exception {
    byte[] onnx = io.maskserve.trainer.testing.TinyClassifiers.untrainedSynth(32);
    LabelledImages data = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(32), 4), 0, 8,
        SynthTask.inputSpec(32));
    try (OrtClassifier ort = new OrtClassifier(OrtEnvironment.getEnvironment(), onnx, 32, 32, 1, 64)) {
      float free = maxLogit(train(ort, data, 0f), data);
      float bounded = maxLogit(train(ort, data, 1.5f), data);
      // Without the bound the objective alone sets the logits, and it wants them all at +infinity.
      assertTrue(free > 4f, "unbounded run's largest logit " + free);
      // (|z| − 1.5)² against −log σ(z), whose slope is below 0.2 past z = 1.5: the two balance
      // within a logit of the bound.
      assertTrue(bounded < 2.5f && bounded > 1f, "bounded run's largest logit " + bounded);
    }
  }

  @Test
  void negativeOrInfiniteBoundsAreRefused() {
    GeneratorConfig g = new GeneratorConfig(4, 2, 1, 1, 1);
    assertThrows(IllegalArgumentException.class,
        () -> new TrainerConfig(g, 4, 4, 0.05f, 0.5f, 1, false, 1, 1f, null, false, -1f));
    assertThrows(IllegalArgumentException.class,
        () -> new TrainerConfig(g, 4, 4, 0.05f, 0.5f, 1, false, 1, 1f, null, false, Float.POSITIVE_INFINITY));
  }

  private static float[][] train(OrtClassifier ort, LabelledImages data, float bound) throws Exception {
    TrainerConfig config = new TrainerConfig(new GeneratorConfig(4, 2, 1, 1, 1), 60, 4, 0.05f, 0.5f, 3, false, 1,
        1f, null, false, bound);
    try (Trainer t = new Trainer(config, new KeepEverything(), ort, data)) {
      t.train(s -> { });
      return t.keepProbabilities(data.pixels(), 8);
    }
  }

  /** The largest logit over every image's map (the generator has no smoothing here). */
  private static float maxLogit(float[][] maps, LabelledImages data) {
    float max = Float.NEGATIVE_INFINITY;
    for (float[] map : maps) {
      for (float p : map) {
        double c = Math.min(p, 1 - 1e-7);
        max = Math.max(max, (float) (Math.log(c) - Math.log1p(-c)));
      }
    }
    return max;
  }
}
