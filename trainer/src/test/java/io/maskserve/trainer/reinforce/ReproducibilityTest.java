package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.MalformedModelException;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.SynthTask;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Same seed, same run; and a run stopped, saved and resumed takes exactly the steps of the
 * uninterrupted run (same rewards, same final maps), for every objective.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReproducibilityTest {

  OrtClassifier ort;
  OrtGradients logSoftmax;
  OrtGradients logit;
  LabelledImages data;

  @BeforeAll
  void setUp() throws Exception {
    byte[] classifier = io.maskserve.trainer.testing.TinyClassifiers.untrainedSynth(32);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    ort = new OrtClassifier(env, classifier, 32, 32, 1, 64);
    logSoftmax = new OrtGradients(env, classifier, io.maskserve.zoo.autodiff.AutodiffOptions.Score.LOG_SOFTMAX, 32,
        32, 1, 64);
    logit = new OrtGradients(env, classifier, io.maskserve.zoo.autodiff.AutodiffOptions.Score.LOGIT, 32, 32, 1, 64);
    data = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(32), 4), 0, 10, SynthTask.inputSpec(32));
  }

  @AfterAll
  void tearDown() throws Exception {
    ort.close();
    logSoftmax.close();
    logit.close();
  }

  private static final TrainerConfig CONFIG = new TrainerConfig(new GeneratorConfig(4, 2, 1, 1, 1), 6, 4, 1e-2f,
      0.7f, 9);

  /** Class-conditional over the 5 classes, targets drawn from the top 3. */
  private static final TrainerConfig CONDITIONAL = new TrainerConfig(new GeneratorConfig(4, 2, 1, 1, 1, 5), 6, 4,
      1e-2f, 0.7f, 9, false, 3);

  private Objective objective(String kind) {
    return switch (kind) {
      case "paper" -> new Paper(ort, logit);
      case "muprop" -> new Reinforce(settings(Reinforce.Estimator.MUPROP), ort, logSoftmax);
      case "local" -> new Reinforce(settings(Reinforce.Estimator.LOCAL), ort, logSoftmax);
      default -> new Reinforce(settings(Reinforce.Estimator.REINFORCE), ort, null);
    };
  }

  private static Reinforce.Settings settings(Reinforce.Estimator e) {
    return new Reinforce.Settings(3, 1f, 0.3f, 0.01f, e, 1f, 0.5f);
  }

  @Test
  void fixedSeedsReproduceTheRun() throws Exception {
    for (String kind : List.of("reinforce", "muprop", "local", "paper")) {
      Run a = run(kind, -1);
      Run b = run(kind, -1);
      assertEquals(a.stats, b.stats, kind);
      assertArrayEquals(a.maps, b.maps, kind);
    }
  }

  @Test
  void resumedRunEqualsTheUninterruptedRun() throws Exception {
    for (String kind : List.of("reinforce", "paper")) {
      Run whole = run(kind, -1);
      // The epoch boundary (10 images, 4 per step) falls inside the resumed part.
      Run resumed = run(kind, 2);
      assertEquals(whole.stats, resumed.stats, kind + ": rewards/keep of every step");
      assertArrayEquals(whole.maps, resumed.maps, kind + ": final maps");
    }
  }

  @Test
  void conditionalRunIsReproducibleAndResumesExactly() throws Exception {
    Run whole = run(CONDITIONAL, "muprop", -1);
    assertEquals(whole.stats, run(CONDITIONAL, "muprop", -1).stats);
    Run resumed = run(CONDITIONAL, "muprop", 3);
    assertEquals(whole.stats, resumed.stats, "rewards/keep of every step");
    assertArrayEquals(whole.maps, resumed.maps, "final maps");
  }

  @Test
  void flippedRunIsReproducibleResumesExactlyAndSeesOtherImages() throws Exception {
    TrainerConfig flipped = new TrainerConfig(CONFIG.generator(), CONFIG.steps(), CONFIG.batchSize(),
        CONFIG.learningRate(), CONFIG.initialKeep(), CONFIG.seed(), false, 1, 1f, null, true);
    Run whole = run(flipped, "reinforce", -1);
    assertEquals(whole.stats, run(flipped, "reinforce", -1).stats);
    Run resumed = run(flipped, "reinforce", 3);
    assertEquals(whole.stats, resumed.stats, "rewards/keep of every step");
    assertArrayEquals(whole.maps, resumed.maps, "final maps");
    // Same seed, same batches and mask draws: only the mirrored images differ.
    org.junit.jupiter.api.Assertions.assertNotEquals(run("reinforce", -1).stats, whole.stats);
  }

  @Test
  void targetsFromTheTopKNeedAConditionalGenerator() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TrainerConfig(new GeneratorConfig(4, 2, 1, 1, 1), 6, 4, 1e-2f, 0.7f, 9, false, 2));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("class-conditional"), e.getMessage());
  }

  @Test
  void conditionalAndUnconditionalStatesDoNotMix() throws Exception {
    byte[] state;
    try (Trainer t = new Trainer(CONDITIONAL, objective("reinforce"), ort, data)) {
      t.step();
      state = save(t);
    }
    try (Trainer t = new Trainer(CONFIG, objective("reinforce"), ort, data)) {
      MalformedModelException e = assertThrows(MalformedModelException.class,
          () -> t.loadState(new DataInputStream(new ByteArrayInputStream(state))));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("classes=5"), e.getMessage());
    }
  }

  @Test
  void corruptOrForeignStateIsRejected() throws Exception {
    try (Trainer t = new Trainer(CONFIG, objective("reinforce"), ort, data)) {
      DataInputStream junk = new DataInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
      assertThrows(MalformedModelException.class, () -> t.loadState(junk));
    }
    byte[] state;
    try (Trainer t = new Trainer(CONFIG, objective("reinforce"), ort, data)) {
      t.step();
      state = save(t);
    }
    TrainerConfig wider = new TrainerConfig(new GeneratorConfig(8, 2, 1, 1, 1), 6, 4, 1e-2f, 0.7f, 9);
    try (Trainer t = new Trainer(wider, objective("reinforce"), ort, data)) {
      MalformedModelException e = assertThrows(MalformedModelException.class,
          () -> t.loadState(new DataInputStream(new ByteArrayInputStream(state))));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("width=4"), e.getMessage());
    }
  }

  private record Run(List<List<Double>> stats, float[][] maps) {}

  private Run run(String kind, int stopAt) throws Exception {
    return run(CONFIG, kind, stopAt);
  }

  /** Runs {@code config}; when {@code stopAt >= 0}, saves after that step and continues in a new trainer. */
  private Run run(TrainerConfig config, String kind, int stopAt) throws Exception {
    List<List<Double>> stats = new ArrayList<>();
    Trainer t = new Trainer(config, objective(kind), ort, data);
    try {
      while (t.stepsDone() < config.steps()) {
        StepStats s = t.step();
        stats.add(List.of((double) s.step(), s.meanReward(), s.meanKeep(), s.meanLogProb()));
        if (s.step() == stopAt) {
          byte[] state = save(t);
          t.close();
          t = new Trainer(config, objective(kind), ort, data);
          t.loadState(new DataInputStream(new ByteArrayInputStream(state)));
          assertEquals(stopAt, t.stepsDone());
        }
      }
      int[] targets = config.generator().conditional() ? new int[] {0, 1, 2, 4} : null;
      return new Run(stats, t.keepProbabilities(data.pixels(), targets, 4));
    } finally {
      t.close();
    }
  }

  private static byte[] save(Trainer t) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      t.saveState(out);
    }
    return bytes.toByteArray();
  }
}
