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
      t = Reinforce.thresholds(probs, N, CELLS, List.of(0.25f), new SplittableRandom(3));
      q = r.samplePolicies(probs, t, null, N, 4, CELLS);
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
  void keepDestroyerAndInserterSamplesTakeTurns() {
    Reinforce.Settings s = inserters(6, List.of(0.2f), List.of(0.1f), List.of(1f, 2f));
    for (int k = 0; k < 6; k++) {
      assertEquals(k % 3 == 0, s.keep(k), "keep " + k);
      assertEquals(k % 3 == 1, s.destroyer(k), "destroyer " + k);
      assertEquals(k % 3 == 2, s.inserter(k), "inserter " + k);
    }
    assertEquals(List.of(1f, 2f, 1f, 1f), List.of(s.exponent(0), s.exponent(3), s.exponent(1), s.exponent(2)));
    // Without destroyers, every second sample is an inserter.
    Reinforce.Settings only = inserters(4, List.of(), List.of(0.1f), List.of());
    assertEquals(List.of(true, false, true, false), List.of(only.keep(0), only.inserter(0), only.keep(2),
        only.destroyer(1)));
    assertTrue(only.inserter(1) && only.inserter(3));
    assertThrows(IllegalArgumentException.class, () -> inserters(4, List.of(0.2f), List.of(0.1f), List.of()),
        "three kinds need a multiple of 3");
    assertThrows(IllegalArgumentException.class, () -> inserters(3, List.of(0.2f), List.of(0.1f), List.of()),
        "two of each kind");
    assertThrows(IllegalArgumentException.class, () -> inserters(4, List.of(), List.of(1f), List.of()), "budget 1");
    assertThrows(IllegalArgumentException.class, () -> new Reinforce.Settings(4, 1f, 0f, 0f,
        Reinforce.Estimator.REINFORCE, 0f, 0.5f, 0f, List.of(), List.of(), Substrate.MEAN, List.of(0.1f), 0f),
        "needs an insertion weight");
    assertThrows(IllegalArgumentException.class, () -> new Reinforce.Settings(4, 1f, 0f, 0f,
        Reinforce.Estimator.REINFORCE, 0f, 0.5f, 0f, List.of(), List.of(), Substrate.MEAN, List.of(), 1f),
        "a weight without budgets weighs nothing");
  }

  @Test
  void inserterSetsAreTheMapsTopAtTheirOwnBudget() throws Exception {
    float[] probs = new Fixture.Probs(22).values();
    float[] q;
    try (Fixture f = new Fixture()) {
      Reinforce r = new Reinforce(inserters(6, List.of(0.5f), List.of(0.25f), List.of()), f.ort, null);
      q = r.samplePolicies(probs, Reinforce.thresholds(probs, N, CELLS, List.of(0.5f), new SplittableRandom(1)),
          Reinforce.thresholds(probs, N, CELLS, List.of(0.25f), new SplittableRandom(2)), N, 6, CELLS);
    }
    for (int i = 0; i < N; i++) {
      int img = i;
      Integer[] order = new Integer[CELLS];
      for (int c = 0; c < CELLS; c++) {
        order[c] = c;
      }
      java.util.Arrays.sort(order, (x, y) -> Float.compare(probs[img * CELLS + y], probs[img * CELLS + x]));
      for (int rank = 0; rank < CELLS; rank++) {
        assertEquals(rank < CELLS / 2, q[(i * 6 + 1) * CELLS + order[rank]] > 0.5f, "destroyer, rank " + rank);
        assertEquals(rank < CELLS / 4, q[(i * 6 + 2) * CELLS + order[rank]] > 0.5f, "inserter, rank " + rank);
      }
    }
  }

  @Test
  void inserterRewardIsTheClassProbabilityOfTheTopSetKeptOnTheBlur() throws Exception {
    // A map far from its threshold makes the inserter sets deterministic: the top quarter of the cells.
    // Two runs that differ only in α draw the same masks, so the mean reward moves by exactly the
    // inserters' share (1/3) of Δα·p(y | top quarter kept, the rest blurred)^0.3, recomputed here by hand.
    try (Fixture f = new Fixture()) {
      float[] probs = new float[N * CELLS];
      SplittableRandom r = new SplittableRandom(5);
      for (int i = 0; i < N; i++) {
        for (int c = 0; c < CELLS; c++) {
          probs[i * CELLS + c] = 0.02f;
        }
        int placed = 0;
        while (placed < CELLS / 4) {
          int c = r.nextInt(CELLS);
          if (probs[i * CELLS + c] < 0.5f) {
            probs[i * CELLS + c] = 0.98f;
            placed++;
          }
        }
      }
      Objective.Outcome one = f.loss(inserters(6, List.of(0.2f), List.of(0.25f), List.of(), 1f), probs, 4);
      Objective.Outcome three = f.loss(inserters(6, List.of(0.2f), List.of(0.25f), List.of(), 3f), probs, 4);
      int len = 3 * 32 * 32;
      float[] onBlur = new float[N * len];
      float[] onMean = new float[N * len];
      float[] images = f.batch.images();
      for (int i = 0; i < N; i++) {
        float[] blur = io.maskserve.trainer.metrics.DeletionInsertion.blur(
            java.util.Arrays.copyOfRange(images, i * len, (i + 1) * len), 32, 32);
        for (int ch = 0; ch < 3; ch++) {
          for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
              int px = ch * 1024 + y * 32 + x;
              boolean kept = probs[i * CELLS + (y / 4) * GRID + x / 4] > 0.5f;
              onBlur[i * len + px] = kept ? images[i * len + px] : blur[px];
              onMean[i * len + px] = kept ? images[i * len + px] : 0f;
            }
          }
        }
      }
      double expected = 0;
      double ifOnTheMean = 0;
      double[] lpBlur = f.ort.logProbabilities(onBlur, N, f.batch.targets());
      double[] lpMean = f.ort.logProbabilities(onMean, N, f.batch.targets());
      for (int i = 0; i < N; i++) {
        expected += Math.exp(0.3 * lpBlur[i]) / N;
        ifOnTheMean += Math.exp(0.3 * lpMean[i]) / N;
      }
      assertEquals(2 * expected / 3, three.reward() - one.reward(), 1e-4 * expected);
      assertTrue(Math.abs(expected - ifOnTheMean) > 1e-3 * expected, "the substrate does not show in the test");
      // The keep fraction reported is the keep samples' (mean p), not the inserters' sets.
      assertEquals(0.25 * 0.98 + 0.75 * 0.02, one.keep(), 0.05);
    }
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

  private static Reinforce.Settings inserters(int k, List<Float> destroy, List<Float> insert, List<Float> nested) {
    return inserters(k, destroy, insert, nested, 1f);
  }

  private static Reinforce.Settings inserters(int k, List<Float> destroy, List<Float> insert, List<Float> nested,
      float alpha) {
    return new Reinforce.Settings(k, 1f, 0.3f, 0.01f, Reinforce.Estimator.REINFORCE, 1f, 0.5f, 1f, nested, destroy,
        Substrate.MEAN, insert, alpha);
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
