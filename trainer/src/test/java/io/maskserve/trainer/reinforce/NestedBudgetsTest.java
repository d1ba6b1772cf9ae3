package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.SynthTask;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reinforce objective's nested budgets: sample k drawn from p^γ_k at γ_k·λ_area. */
class NestedBudgetsTest {

  static final int N = 4;
  static final int K = 3;
  static final int GRID = 8;
  static final int CELLS = GRID * GRID;

  @Test
  void sampleKIsDrawnFromPToItsExponent() throws Exception {
    try (Fixture f = new Fixture()) {
      float[] probs = new float[N * CELLS];
      java.util.Arrays.fill(probs, 0.8f);
      // Many draws: the mean kept fraction over the samples is the mean of 0.8^γ.
      double plain = 0;
      double nested = 0;
      int runs = 20;
      for (int r = 0; r < runs; r++) {
        plain += f.loss(settings(List.of()), probs, r).keep();
        nested += f.loss(settings(List.of(1f, 2f, 4f)), probs, r).keep();
      }
      assertEquals(0.8, plain / runs, 0.02);
      assertEquals((0.8 + 0.64 + 0.4096) / 3, nested / runs, 0.02);
    }
  }

  @Test
  void exponentsOfOneAreThePlainObjective() throws Exception {
    try (Fixture f = new Fixture()) {
      float[] probs = f.randomProbs(3);
      Objective.Outcome plain = f.loss(settings(List.of()), probs, 5);
      Objective.Outcome ones = f.loss(settings(List.of(1f)), probs, 5);
      assertEquals(plain.reward(), ones.reward(), 1e-6);
      assertEquals(plain.keep(), ones.keep(), 1e-9);
      assertEquals(plain.loss().getFloat(), ones.loss().getFloat(), 1e-5);
    }
  }

  @Test
  void theAreaWeightOfEachSampleIsItsExponentTimesLambda() throws Exception {
    // The area term's expectation is closed-form: λ·mean_k γ_k·mean(p^γ_k). Two runs that differ only
    // in λ share the samples and the score-function part, so their gradients differ by exactly the
    // area term's: per cell, Δλ·mean_k γ_k²·p^(γ_k−1) / (N·cells).
    try (Fixture f = new Fixture()) {
      float[] probs = new float[N * CELLS];
      java.util.Arrays.fill(probs, 0.5f);
      List<Float> exps = List.of(1f, 2f, 4f);
      float[] g1 = f.gradient(new Reinforce.Settings(K, 1f, 0f, 0f, Reinforce.Estimator.REINFORCE, 0f, 0.5f, 0f, exps),
          probs);
      float[] g3 = f.gradient(new Reinforce.Settings(K, 3f, 0f, 0f, Reinforce.Estimator.REINFORCE, 0f, 0.5f, 0f, exps),
          probs);
      double expected = 2.0 * (1 * 1 + 4 * 0.5 + 16 * 0.125) / 3.0 / (N * CELLS);
      for (int c = 0; c < g1.length; c++) {
        assertEquals(expected, g3[c] - g1[c], 1e-4 * expected, "cell " + c);
      }
      // Without nested budgets the same difference is Δλ / (N·cells).
      float[] h1 = f.gradient(new Reinforce.Settings(K, 1f, 0f, 0f, Reinforce.Estimator.REINFORCE, 0f, 0.5f), probs);
      float[] h3 = f.gradient(new Reinforce.Settings(K, 3f, 0f, 0f, Reinforce.Estimator.REINFORCE, 0f, 0.5f), probs);
      assertEquals(2.0 / (N * CELLS), h3[0] - h1[0], 1e-4 * expected);
      assertTrue(Math.abs(g1[0] - h1[0]) > 1e-4 * expected, "the score-function part changes with the exponents too");
    }
  }

  @Test
  void destroyerSamplesAreEverySecondSample() throws Exception {
    try (Fixture f = new Fixture()) {
      float[] probs = new float[N * CELLS];
      java.util.Arrays.fill(probs, 0.8f);
      Reinforce.Settings s = destroyers(4, List.of(0.25f), List.of(1f, 2f));
      assertEquals(List.of(false, true, false, true), List.of(s.destroyer(0), s.destroyer(1), s.destroyer(2),
          s.destroyer(3)));
      assertEquals(List.of(1f, 2f), List.of(s.exponent(0), s.exponent(2)));
      // The reported keep fraction is the keep samples' (p and p²), not the destroyers' removal sets.
      double keep = 0;
      int runs = 20;
      for (int r = 0; r < runs; r++) {
        keep += f.loss(s, probs, r).keep();
      }
      assertEquals((0.8 + 0.64) / 2, keep / runs, 0.02);
    }
  }

  @Test
  void destroyerSetsAreTheMapsTopAtTheirBudget() throws Exception {
    // Distinct probabilities: a destroyer's cell probabilities sum to about f·cells and are above 1/2
    // exactly on the f·cells most probable cells.
    float[] probs = new Fixture.Probs(21).values();
    float[] t;
    float[] q;
    try (Fixture f = new Fixture()) {
      Reinforce r = new Reinforce(destroyers(4, List.of(0.25f), List.of()), f.ort, null);
      t = r.destroyerThresholds(probs, N, CELLS, new SplittableRandom(3));
      q = r.samplePolicies(probs, t, N, 4, CELLS);
    }
    for (int i = 0; i < N; i++) {
      Integer[] order = new Integer[CELLS];
      for (int c = 0; c < CELLS; c++) {
        order[c] = c;
      }
      int img = i;
      java.util.Arrays.sort(order, (x, y) -> Float.compare(probs[img * CELLS + y], probs[img * CELLS + x]));
      double total = 0;
      for (int rank = 0; rank < CELLS; rank++) {
        float v = q[(i * 4 + 1) * CELLS + order[rank]];
        total += v;
        assertEquals(rank < CELLS / 4, v > 0.5f, "image " + i + " rank " + rank);
        // the keep samples draw from p itself
        assertEquals(probs[i * CELLS + order[rank]], q[(i * 4) * CELLS + order[rank]], 1e-6);
      }
      assertEquals(CELLS / 4.0, total, 3.0, "image " + i);
    }
  }

  @Test
  void destroyersPayNoAreaAndKeepSamplesTheirUsualShare() throws Exception {
    // The area term is closed-form and over the keep samples only (weight K_keep/K = 1/2 here), so two
    // λ differ by exactly Δλ·(1/2) / (N·cells) per cell.
    try (Fixture f = new Fixture()) {
      float[] probs = f.randomProbs(4);
      float[] g1 = f.gradient(new Reinforce.Settings(4, 1f, 0f, 0f, Reinforce.Estimator.REINFORCE, 0f, 0.5f, 1f,
          List.of(), List.of(0.2f)), probs);
      float[] g3 = f.gradient(new Reinforce.Settings(4, 3f, 0f, 0f, Reinforce.Estimator.REINFORCE, 0f, 0.5f, 1f,
          List.of(), List.of(0.2f)), probs);
      double expected = 2.0 * 0.5 / (N * CELLS);
      for (int c = 0; c < g1.length; c++) {
        assertEquals(expected, g3[c] - g1[c], 1e-4 * expected, "cell " + c);
      }
    }
  }

  @Test
  void eachSampleGroupHasItsOwnLeaveOneOutBaseline() {
    // One image, K = 4: keep samples 0 and 2, destroyers 1 and 3.
    float[] adv = Reinforce.leaveOneOut(new float[] {1, 10, 3, 30}, 1, 4, 2);
    assertEquals(1 - 3, adv[0], 1e-6);
    assertEquals(3 - 1, adv[2], 1e-6);
    assertEquals(10 - 30, adv[1], 1e-6);
    assertEquals(30 - 10, adv[3], 1e-6);
  }

  @Test
  void keepSamplesOnTheBlurredSubstrateLeaveTheDestroyersOnTheMean() throws Exception {
    // The same seed draws the same masks on either substrate (BLUR draws nothing more). Only the keep
    // samples' scores may move, so the reward (over all K) moves by exactly the keep samples' log p
    // change times their share, 1/2 — which fails if a destroyer were scored on the blur too.
    try (Fixture f = new Fixture()) {
      float[] probs = f.randomProbs(6);
      Reinforce.Settings mean = destroyers(4, List.of(0.2f), List.of());
      Reinforce.Settings blur = new Reinforce.Settings(4, 1f, 0.3f, 0.01f, Reinforce.Estimator.REINFORCE, 1f, 0.5f,
          1f, List.of(), List.of(0.2f), Substrate.BLUR);
      Objective.Outcome onMean = f.loss(mean, probs, 9);
      Objective.Outcome onBlur = f.loss(blur, probs, 9);
      assertEquals(onMean.keep(), onBlur.keep(), 1e-9);
      assertTrue(Math.abs(onBlur.logProb() - onMean.logProb()) > 1e-3, "the keep samples' scores did not move");
      assertEquals((onBlur.logProb() - onMean.logProb()) / 2, onBlur.reward() - onMean.reward(), 1e-5);
    }
    // MUPROP and LOCAL expand the score on the mean substrate.
    assertThrows(IllegalArgumentException.class, () -> new Reinforce.Settings(4, 1f, 0f, 0f,
        Reinforce.Estimator.MUPROP, 1f, 0.5f, 0f, List.of(), List.of(), Substrate.MIXED));
  }

  @Test
  void destroyerSettingsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new Reinforce.Settings(4, 1f, 0f, 0f,
        Reinforce.Estimator.REINFORCE, 0f, 0.5f, 0f, List.of(), List.of(0.1f)), "needs a deletion weight");
    assertThrows(IllegalArgumentException.class, () -> destroyers(3, List.of(0.1f), List.of()), "odd K");
    assertThrows(IllegalArgumentException.class, () -> destroyers(2, List.of(0.1f), List.of()), "K < 4");
    assertThrows(IllegalArgumentException.class, () -> destroyers(4, List.of(0f), List.of()), "budget 0");
    assertThrows(IllegalArgumentException.class, () -> destroyers(4, List.of(1f), List.of()), "budget 1");
  }

  @Test
  void exponentsBelowOneAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> settings(List.of(0.5f)));
    assertThrows(IllegalArgumentException.class, () -> settings(List.of(Float.NaN)));
  }

  private static Reinforce.Settings settings(List<Float> exponents) {
    return new Reinforce.Settings(K, 1f, 0.3f, 0.01f, Reinforce.Estimator.REINFORCE, 1f, 0.5f, 0f, exponents);
  }

  private static Reinforce.Settings destroyers(int k, List<Float> budgets, List<Float> nested) {
    return new Reinforce.Settings(k, 1f, 0.3f, 0.01f, Reinforce.Estimator.REINFORCE, 1f, 0.5f, 1f, nested, budgets);
  }

  /** A tiny classifier and a batch of synthetic scenes. */
  private static final class Fixture implements AutoCloseable {
    final OrtClassifier ort;
    final NDManager manager;
    final Objective.Batch batch;

    Fixture() throws Exception {
      byte[] onnx = io.maskserve.trainer.testing.TinyClassifiers.untrainedSynth(32);
      LabelledImages data = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(32), 8), 0, N,
          SynthTask.inputSpec(32));
      ort = new OrtClassifier(OrtEnvironment.getEnvironment(), onnx, 32, 32, 1, 64);
      manager = NDManager.newBaseManager(Djl.engine().getEngineName());
      batch = new Objective.Batch(data.pixels(), N, 32, 32, ort.top1(data.pixels(), N));
    }

    float[] randomProbs(long seed) {
      return new Probs(seed).values();
    }

    /** Distinct probabilities in [0.2, 0.8] for N images. */
    record Probs(long seed) {
      float[] values() {
        float[] probs = new float[N * CELLS];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < probs.length; i++) {
          probs[i] = (float) (0.2 + 0.6 * r.nextDouble());
        }
        return probs;
      }
    }

    /** ∂loss/∂p for these probabilities, samples drawn with seed 1. */
    float[] gradient(Reinforce.Settings s, float[] probs) throws Exception {
      try (NDManager sub = manager.newSubManager()) {
        NDArray p = sub.create(probs, new Shape(N, 1, GRID, GRID));
        p.setRequiresGradient(true);
        try (GradientCollector gc = Djl.engine().newGradientCollector()) {
          gc.backward(new Reinforce(s, ort, null).loss(batch, p, new SplittableRandom(1), sub, 0).loss());
        }
        return p.getGradient().toFloatArray();
      }
    }

    Objective.Outcome loss(Reinforce.Settings s, float[] probs, long seed) throws Exception {
      NDArray p = manager.create(probs, new Shape(N, 1, GRID, GRID));
      return new Reinforce(s, ort, null).loss(batch, p, new SplittableRandom(seed), manager, 0);
    }

    @Override
    public void close() throws Exception {
      manager.close();
      ort.close();
    }
  }
}
