package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.maskserve.trainer.model.Djl;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link RemovalRanking}: the map's logits ranked by the classifier's single-cell removal effects. */
class RemovalRankingTest {

  static final int N = 3;
  static final int GRID = 8;
  static final int CELLS = GRID * GRID;
  static final int DRAWN = 6;

  @Test
  void pairWeightsFollowTheRemovalEffects() {
    // Image 0: e = −log p = (1, 2, 1): only cell 1 hurts more than the others, by 1 each.
    // Image 1: every removal has the same effect, nothing to rank.
    double[] logp = {-1, -2, -1, -0.5, -0.5, -0.5};
    float[] w = RemovalRanking.pairWeights(logp, 2, 3);
    float[] expected = {
        0, 0, 0,
        0.5f, 0, 0.5f,
        0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0};
    assertArrayEquals(expected, w, 1e-7f);
  }

  @Test
  void drawsDistinctCellsReproducibly() {
    int[] a = RemovalRanking.drawCells(4, CELLS, DRAWN, new SplittableRandom(3));
    assertArrayEquals(a, RemovalRanking.drawCells(4, CELLS, DRAWN, new SplittableRandom(3)));
    for (int i = 0; i < 4; i++) {
      Set<Integer> seen = new HashSet<>();
      for (int s = 0; s < DRAWN; s++) {
        int c = a[i * DRAWN + s];
        assertTrue(c >= 0 && c < CELLS);
        assertTrue(seen.add(c), "cells of one image are distinct");
      }
    }
    int[] all = RemovalRanking.drawCells(1, 5, 5, new SplittableRandom(1));
    assertEquals(Set.of(0, 1, 2, 3, 4), Set.of(all[0], all[1], all[2], all[3], all[4]));
  }

  @Test
  void rejectsBadSettings() {
    Objective inner = new ZeroObjective();
    assertThrows(NullPointerException.class, () -> new RemovalRanking(inner, null, 4, 1f));
  }

  @Test
  void addsTheRankingLossAndPushesTheCellsWhoseRemovalHurtsMostUp() throws Exception {
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      OrtClassifier ort = fixture.classifier;
      assertThrows(IllegalArgumentException.class, () -> new RemovalRanking(new ZeroObjective(), ort, 1, 1f));
      assertThrows(IllegalArgumentException.class, () -> new RemovalRanking(new ZeroObjective(), ort, 4, 0f));
      Objective.Batch batch = fixture.batch;
      float[] probs = ObjectiveFixture.probabilities(N * CELLS, 2);
      float weight = 2f;
      NDArray p = manager.create(probs, new Shape(N, 1, GRID, GRID));
      p.setRequiresGradient(true);
      Objective.Outcome out;
      float[] grad;
      try (GradientCollector gc = Djl.engine().newGradientCollector()) {
        out = new RemovalRanking(new ZeroObjective(), ort, DRAWN, weight)
            .loss(batch, p, new SplittableRandom(9), manager, 0);
        gc.backward(out.loss());
      }
      grad = p.getGradient().toFloatArray();

      // The same cells, removed one at a time and scored independently.
      int[] cells = RemovalRanking.drawCells(N, CELLS, DRAWN, new SplittableRandom(9));
      double[] effect = new double[N * DRAWN];
      for (int j = 0; j < N * DRAWN; j++) {
        float[] mask = new float[CELLS];
        java.util.Arrays.fill(mask, 1f);
        mask[cells[j]] = 0f;
        float[] one = new float[3 * 32 * 32];
        Masks.applyMask(batch.images(), (j / DRAWN) * one.length, 32, 32, mask, 0, GRID, GRID, one, 0);
        effect[j] = -ort.logProbabilities(one, 1, new int[] {batch.targets()[j / DRAWN]})[0];
      }
      double expected = 0;
      for (int i = 0; i < N; i++) {
        double total = 0;
        double sum = 0;
        for (int a = 0; a < DRAWN; a++) {
          for (int b = 0; b < DRAWN; b++) {
            double d = effect[i * DRAWN + a] - effect[i * DRAWN + b];
            if (d > 0) {
              total += d;
              sum += d * softplus(logit(probs[i * CELLS + cells[i * DRAWN + b]])
                  - logit(probs[i * CELLS + cells[i * DRAWN + a]]));
            }
          }
        }
        assertTrue(total > 0, "the classifier's removal effects differ between cells");
        expected += sum / total;
      }
      expected = weight * expected / N;
      assertEquals(expected, out.loss().getFloat(), 1e-4 * Math.max(1, expected));

      for (int i = 0; i < N; i++) {
        int most = 0;
        int least = 0;
        Set<Integer> drawn = new HashSet<>();
        for (int s = 0; s < DRAWN; s++) {
          drawn.add(cells[i * DRAWN + s]);
          most = effect[i * DRAWN + s] > effect[i * DRAWN + most] ? s : most;
          least = effect[i * DRAWN + s] < effect[i * DRAWN + least] ? s : least;
        }
        assertTrue(grad[i * CELLS + cells[i * DRAWN + most]] < 0, "descent raises the most harmful removal's cell");
        assertTrue(grad[i * CELLS + cells[i * DRAWN + least]] > 0, "descent lowers the least harmful removal's cell");
        for (int c = 0; c < CELLS; c++) {
          if (!drawn.contains(c)) {
            assertEquals(0f, grad[i * CELLS + c], "cells not drawn are not ranked");
          }
        }
      }
    }
  }

  private static double logit(double v) {
    return Math.log(v) - Math.log(1 - v);
  }

  private static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  /** An objective with zero loss that consumes no randomness, so the ranking term is seen alone. */
  private static final class ZeroObjective implements Objective {
    @Override
    public Outcome loss(Batch batch, NDArray probs, SplittableRandom rng, NDManager manager, double progress) {
      return new Outcome(probs.sum().mul(0), 0, 0, 1);
    }

    @Override
    public float threshold() {
      return 0.5f;
    }
  }
}
