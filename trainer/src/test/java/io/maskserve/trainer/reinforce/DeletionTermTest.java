package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.maskserve.trainer.model.Djl;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reinforce objective's deletion term: reward − β·p(target | kept region removed)^0.3. */
class DeletionTermTest {

  static final int N = 4;
  static final int K = 3;
  static final int GRID = 8;

  @Test
  void deletionTermSubtractsTheComplementsLogProbability() throws Exception {
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      OrtClassifier ort = fixture.classifier;
      Objective.Batch batch = fixture.batch;
      float[] probs = ObjectiveFixture.probabilities(N * GRID * GRID, 2);
      var p = manager.create(probs, new Shape(N, 1, GRID, GRID));
      float beta = 0.5f;
      Objective.Outcome plain = new Reinforce(settings(0f), ort, null).loss(batch, p, new SplittableRandom(5), manager, 0);
      Objective.Outcome withDeletion = new Reinforce(settings(beta), ort, null)
          .loss(batch, p, new SplittableRandom(5), manager, 0);

      // The same samples, their complements scored independently.
      float[] masks = Masks.sample(probs, N, K, GRID * GRID, new SplittableRandom(5));
      float[] complement = new float[masks.length];
      for (int i = 0; i < masks.length; i++) {
        complement[i] = 1 - masks[i];
      }
      double[] lp = ort.logProbabilities(batch.masked(complement, K, GRID, GRID), N * K, batch.repeatedTargets(K));
      double mean = java.util.Arrays.stream(lp).map(l -> Math.pow(Math.exp(l), 0.3)).average().orElseThrow();
      assertTrue(mean > 1e-3 && mean < 1 - 1e-3, "the complement's probability is informative: " + mean);
      assertEquals(plain.reward() - beta * mean, withDeletion.reward(), 1e-5);
      assertEquals(plain.logProb(), withDeletion.logProb(), 1e-9, "the preservation term is unchanged");
      assertEquals(plain.keep(), withDeletion.keep(), 1e-9);
    }
  }

  private static Reinforce.Settings settings(float beta) {
    return new Reinforce.Settings(K, 1f, 0.3f, 0.01f, Reinforce.Estimator.REINFORCE, 1f, 0.5f, beta);
  }
}
