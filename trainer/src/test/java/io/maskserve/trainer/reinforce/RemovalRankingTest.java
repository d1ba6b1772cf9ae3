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
  void settingsAreCheckedAndParsedInOnePlace() {
    Objective inner = new ZeroObjective();
    assertThrows(NullPointerException.class, () -> new RemovalRanking(inner, null, RemovalRanking.Settings.dense(1f)));
    assertThrows(IllegalArgumentException.class, () -> RemovalRanking.Settings.sampled(1, 1f));
    assertThrows(IllegalArgumentException.class, () -> RemovalRanking.Settings.sampled(4, 0f));
    assertThrows(IllegalArgumentException.class, () -> RemovalRanking.Settings.dense(Float.NaN));
    assertThrows(IllegalArgumentException.class, () -> RemovalRanking.Settings.dense(Float.POSITIVE_INFINITY));
    assertEquals(null, RemovalRanking.Settings.parse("0", -1f), "off: the weight is not looked at");
    assertEquals(RemovalRanking.Settings.sampled(16, 2f), RemovalRanking.Settings.parse(" 16", 2f));
    assertEquals(RemovalRanking.Settings.dense(3f), RemovalRanking.Settings.parse("All", 3f));
    assertEquals("all", RemovalRanking.Settings.parse("ALL", 3f).cellsLabel());
    assertEquals("16", RemovalRanking.Settings.parse("16", 3f).cellsLabel());
    for (String bad : new String[] {"1", "-2", "most", "", "2.5"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RemovalRanking.Settings.parse(bad, 1f), bad);
      assertTrue(e.getMessage().contains("'all'"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> RemovalRanking.Settings.parse("all", 0f));
  }

  @Test
  void addsTheRankingLossAndPushesTheCellsWhoseRemovalHurtsMostUp() throws Exception {
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      OrtClassifier ort = fixture.classifier;
      Objective.Batch batch = fixture.batch;
      float[] probs = ObjectiveFixture.probabilities(N * CELLS, 2);
      float weight = 2f;
      NDArray p = manager.create(probs, new Shape(N, 1, GRID, GRID));
      p.setRequiresGradient(true);
      Objective.Outcome out;
      float[] grad;
      try (GradientCollector gc = Djl.engine().newGradientCollector()) {
        out = new RemovalRanking(new ZeroObjective(), ort, RemovalRanking.Settings.sampled(DRAWN, weight))
            .loss(batch, p, new SplittableRandom(9), manager, 0);
        gc.backward(out.loss());
      }
      grad = p.getGradient().toFloatArray();

      // The same cells, removed one at a time and scored independently.
      int[] cells = RemovalRanking.drawCells(N, CELLS, DRAWN, new SplittableRandom(9));
      double[] effect = new double[N * DRAWN];
      for (int j = 0; j < N * DRAWN; j++) {
        effect[j] = removalEffect(ort, batch, j / DRAWN, cells[j], GRID);
      }
      double expected = 0;
      for (int i = 0; i < N; i++) {
        double[] z = new double[DRAWN];
        for (int s = 0; s < DRAWN; s++) {
          z[s] = logit(probs[i * CELLS + cells[i * DRAWN + s]]);
        }
        expected += rankLoss(java.util.Arrays.copyOfRange(effect, i * DRAWN, (i + 1) * DRAWN), z);
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

  @Test
  void denseModeRanksEveryCellByItsOwnRemovalAndCachesPerImage() throws Exception {
    int grid = 16; // 256 cells: more than one classifier call per image
    int cells = grid * grid;
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      OrtClassifier ort = fixture.classifier;
      Objective.Batch plain = fixture.batch;
      Objective.Batch batch = new Objective.Batch(plain.images(), N, 32, 32, plain.targets(), new int[] {7, 8, 9},
          null);
      assertThrows(IllegalArgumentException.class, () -> new Objective.Batch(plain.images(), N, 32, 32,
          plain.targets(), new int[] {7, 8}, null), "one index per image");
      float[] probs = ObjectiveFixture.probabilities(N * cells, 4);
      float weight = 3f;
      RemovalRanking dense = new RemovalRanking(new ZeroObjective(), ort, RemovalRanking.Settings.dense(weight));
      NDArray p = manager.create(probs, new Shape(N, 1, grid, grid));
      float loss = dense.loss(batch, p, new SplittableRandom(1), manager, 0).loss().getFloat();
      assertEquals(N, dense.cachedImages());

      double[] effect = new double[N * cells];
      for (int j = 0; j < N * cells; j++) {
        effect[j] = removalEffect(ort, batch, j / cells, j % cells, grid);
      }
      double expected = 0;
      for (int i = 0; i < N; i++) {
        // Dense mode ranks standardised logits.
        double[] z = new double[cells];
        double mean = 0;
        for (int c = 0; c < cells; c++) {
          z[c] = logit(probs[i * cells + c]);
          mean += z[c] / cells;
        }
        double var = 0;
        for (int c = 0; c < cells; c++) {
          var += (z[c] - mean) * (z[c] - mean) / cells;
        }
        for (int c = 0; c < cells; c++) {
          z[c] = RemovalRanking.DENSE_SCALE * (z[c] - mean) / Math.sqrt(var + 1e-6);
        }
        expected += rankLoss(java.util.Arrays.copyOfRange(effect, i * cells, (i + 1) * cells), z);
      }
      expected = weight * expected / N;
      assertEquals(expected, loss, 1e-4 * Math.max(1, expected));
      // Only the order counts: spreading and shifting the logits leaves the loss where it was.
      float[] spread = new float[probs.length];
      for (int j = 0; j < probs.length; j++) {
        spread[j] = (float) (1 / (1 + Math.exp(-(2 * logit(probs[j]) + 1))));
      }
      float spreadLoss = dense.loss(batch, manager.create(spread, new Shape(N, 1, grid, grid)), new SplittableRandom(1),
          manager, 0).loss().getFloat();
      assertEquals(loss, spreadLoss, 1e-3 * Math.max(1, loss));

      // Cached: the same indices give the stored effects even for other pixels (here all zero)...
      Objective.Batch blank = new Objective.Batch(new float[N * 3 * 32 * 32], N, 32, 32, plain.targets(),
          new int[] {7, 8, 9}, null);
      double[] stored = dense.denseLogProbabilities(blank, grid, grid);
      for (int j = 0; j < N * cells; j++) {
        assertEquals(-effect[j], stored[j], 1e-6);
      }
      assertEquals(N, dense.cachedImages());
      // ...mirrored left to right when the batch says the image was mirrored...
      Objective.Batch mirrored = new Objective.Batch(blank.images(), N, 32, 32, plain.targets(), new int[] {7, 8, 9},
          new boolean[] {true, false, true});
      double[] flipped = dense.denseLogProbabilities(mirrored, grid, grid);
      for (int i = 0; i < N; i++) {
        for (int c = 0; c < cells; c++) {
          int m = i == 1 ? c : (c / grid) * grid + grid - 1 - c % grid;
          assertEquals(stored[i * cells + m], flipped[i * cells + c], 0.0);
        }
      }
      // The cache does not depend on the orientation an image is first met in: effects computed
      // while the images arrive mirrored are those of the unmirrored images.
      float[] flippedPixels = plain.images().clone();
      io.maskserve.trainer.data.HorizontalFlips.apply(flippedPixels, 3, 32, 32, new boolean[] {true, true, true});
      RemovalRanking other = new RemovalRanking(new ZeroObjective(), ort, RemovalRanking.Settings.dense(weight));
      other.denseLogProbabilities(new Objective.Batch(flippedPixels, N, 32, 32, plain.targets(), new int[] {7, 8, 9},
          new boolean[] {true, true, true}), grid, grid);
      assertArrayEquals(stored, other.denseLogProbabilities(blank, grid, grid), 0.0);
      // ...and computed afresh for another index or another target.
      int[] otherTargets = {plain.targets()[0], (plain.targets()[1] + 1) % 5, plain.targets()[2]};
      double[] fresh = dense.denseLogProbabilities(new Objective.Batch(blank.images(), N, 32, 32, otherTargets,
          new int[] {7, 8, 10}, null), grid, grid);
      assertEquals(N + 2, dense.cachedImages());
      assertEquals(stored[5], fresh[5], 0.0);
      float[] zero = new float[3 * 32 * 32];
      assertEquals(ort.logProbabilities(zero, 1, new int[] {plain.targets()[2]})[0], fresh[2 * cells + 3], 1e-6,
          "removing a cell of a blank image leaves it blank");
    }
  }

  /** −log p(target | image {@code i} with grid cell {@code cell} removed), scored on its own. */
  private static double removalEffect(OrtClassifier ort, Objective.Batch batch, int i, int cell, int grid)
      throws Exception {
    float[] mask = new float[grid * grid];
    java.util.Arrays.fill(mask, 1f);
    mask[cell] = 0f;
    float[] one = new float[3 * 32 * 32];
    Masks.applyMask(batch.images(), i * one.length, 32, 32, mask, 0, grid, grid, one, 0);
    return -ort.logProbabilities(one, 1, new int[] {batch.targets()[i]})[0];
  }

  /** One image's ranking loss: Σ max(0, e_a − e_b)·softplus(z_b − z_a) / Σ max(0, e_a − e_b). */
  private static double rankLoss(double[] effect, double[] z) {
    double total = 0;
    double sum = 0;
    for (int a = 0; a < z.length; a++) {
      for (int b = 0; b < z.length; b++) {
        double d = effect[a] - effect[b];
        if (d > 0) {
          total += d;
          sum += d * softplus(z[b] - z[a]);
        }
      }
    }
    assertTrue(total > 0, "the classifier's removal effects differ between cells");
    return sum / total;
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
