package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.maskserve.trainer.model.Djl;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A garbage collection between building a loss and its backward pass must not change the
 * gradient (see {@link Scalars}: scalars of the autograd graph whose memory the JVM freed fed the
 * backward garbage).
 */
class GarbageCollectionSafetyTest {

  static final int N = 4;
  static final int GRID = 8;

  @Test
  void gradientsSurviveACollectionBeforeBackward() throws Exception {
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager base = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      OrtClassifier ort = fixture.classifier;
      Objective.Batch batch = fixture.batch;
      float[] probs = ObjectiveFixture.probabilities(N * GRID * GRID, 2);
      // Every scalar of the reinforce loss: area, TV, entropy, nested exponents, destroyer temperature.
      Reinforce reinforce = new Reinforce(new Reinforce.Settings(4, 1f, 0.3f, 0.01f, Reinforce.Estimator.REINFORCE,
          1f, 0.5f, 2f, List.of(1f, 2f), List.of(0.1f, 0.2f)), ort, null);
      // And the ranking term's weight and the dense mode's standardisation scale.
      for (Objective objective : List.of(reinforce,
          new RemovalRanking(reinforce, ort, RemovalRanking.Settings.sampled(6, 0.5f)),
          new RemovalRanking(reinforce, ort, RemovalRanking.Settings.dense(0.5f)))) {
        float[] reference = gradient(objective, batch, probs, base, false);
        boolean nonZero = false;
        for (float g : reference) {
          nonZero |= g != 0;
        }
        assertTrue(nonZero, "the loss depends on the probabilities");
        for (int attempt = 0; attempt < 4; attempt++) {
          assertArrayEquals(reference, gradient(objective, batch, probs, base, true),
              "gradient after a collection, attempt " + attempt);
        }
      }
    }
  }

  private static float[] gradient(Objective objective, Objective.Batch batch, float[] probs, NDManager base,
      boolean collect) throws Exception {
    try (NDManager step = base.newSubManager()) {
      NDArray p = step.create(probs, new Shape(N, 1, GRID, GRID));
      p.setRequiresGradient(true);
      try (GradientCollector gc = Djl.engine().newGradientCollector()) {
        NDArray loss = objective.loss(batch, p, new SplittableRandom(1), step, 0).loss();
        if (collect) {
          collectAndReuseFreedMemory();
        }
        gc.backward(loss);
      }
      return p.getGradient().toFloatArray();
    }
  }

  /** Collects (freeing unreachable direct buffers) and fills fresh native memory with a marker value. */
  private static void collectAndReuseFreedMemory() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
    }
    ByteBuffer[] fill = new ByteBuffer[64];
    for (int i = 0; i < fill.length; i++) {
      fill[i] = ByteBuffer.allocateDirect(1 << 12);
      while (fill[i].remaining() >= 4) {
        fill[i].putFloat(1e29f);
      }
    }
  }
}
