package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.maskserve.trainer.metrics.DeletionInsertion;
import io.maskserve.trainer.model.Djl;
import io.maskserve.zoo.masks.RiseMasks;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link AmortisedRise}: the map regressed on RISE masks' scores, weighted by what each cell kept. */
class AmortisedRiseTest {

  static final int N = 3;
  static final int GRID = 8;
  static final int CELLS = GRID * GRID;

  @Test
  void lossIsTheKeptWeightedSquaredErrorAgainstTheMaskedScores() throws Exception {
    int k = 4;
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      float[] probs = ObjectiveFixture.probabilities(N * CELLS, 4);
      Ran ran = lossAndGradient(fixture, manager, AmortisedRise.Fit.MEAN, k, probs, 11);
      Objective.Outcome out = ran.out();
      float[] grad = ran.grad();

      // The same masks, drawn again from the same stream and scored one image at a time.
      RiseMasks masks = new RiseMasks(4, 0.5f, 32, 32, new SplittableRandom(11));
      double loss = 0;
      double[] expectedGrad = new double[N * CELLS];
      double meanP = 0;
      for (int i = 0; i < N; i++) {
        for (int s = 0; s < k; s++) {
          Scored next = scoreNext(fixture, masks, i);
          double score = next.score();
          meanP += score / (N * k);
          float[] a = next.cells();
          for (int c = 0; c < CELLS; c++) {
            double d = probs[i * CELLS + c] - score;
            loss += a[c] * d * d;
            expectedGrad[i * CELLS + c] += 2 * a[c] * d;
          }
        }
      }
      double n = (double) N * k * CELLS;
      assertEquals(loss / n, out.loss().getFloat(), 1e-6);
      assertEquals(meanP, out.reward(), 1e-6);
      for (int j = 0; j < grad.length; j++) {
        assertEquals(expectedGrad[j] / n, grad[j], 1e-7, "gradient of cell " + j);
      }
    }
  }

  @Test
  void theLossIsStationaryAtTheKeptWeightedMeanScore() throws Exception {
    // With the map set to sum_k a_k(c) P_k / sum_k a_k(c) — RISE's estimate from these very masks —
    // the gradient vanishes: the regression's optimum is RISE's saliency.
    int k = 6;
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      RiseMasks masks = new RiseMasks(4, 0.5f, 32, 32, new SplittableRandom(3));
      float[] rise = new float[N * CELLS];
      double[] weight = new double[N * CELLS];
      double[] acc = new double[N * CELLS];
      for (int i = 0; i < N; i++) {
        for (int s = 0; s < k; s++) {
          Scored next = scoreNext(fixture, masks, i);
          double score = next.score();
          float[] a = next.cells();
          for (int c = 0; c < CELLS; c++) {
            acc[i * CELLS + c] += a[c] * score;
            weight[i * CELLS + c] += a[c];
          }
        }
      }
      for (int j = 0; j < rise.length; j++) {
        rise[j] = weight[j] > 0 ? (float) (acc[j] / weight[j]) : 0.5f;
      }
      for (float g : lossAndGradient(fixture, manager, AmortisedRise.Fit.MEAN, k, rise, 3).grad()) {
        assertEquals(0f, g, 1e-8f);
      }
    }
  }

  @Test
  void additiveFitIsLeastSquaresOnCentredKeptAmountsWithTheLogitsAsEffects() throws Exception {
    int k = 5;
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      float[] probs = ObjectiveFixture.probabilities(N * CELLS, 6);
      Ran ran = lossAndGradient(fixture, manager, AmortisedRise.Fit.ADDITIVE, k, probs, 13);
      Objective.Outcome out = ran.out();
      float[] grad = ran.grad();

      RiseMasks masks = new RiseMasks(4, 0.5f, 32, 32, new SplittableRandom(13));
      double loss = 0;
      double[] expectedGrad = new double[N * CELLS];
      for (int i = 0; i < N; i++) {
        double[] score = new double[k];
        double[][] a = new double[k][];
        for (int s = 0; s < k; s++) {
          Scored next = scoreNext(fixture, masks, i);
          score[s] = next.score();
          float[] cell = next.cells();
          a[s] = new double[CELLS];
          for (int c = 0; c < CELLS; c++) {
            a[s][c] = cell[c];
          }
        }
        // Centre both sides over the image's samples: the intercept's least-squares value.
        double meanScore = java.util.Arrays.stream(score).average().orElseThrow();
        double[] meanA = new double[CELLS];
        for (int s = 0; s < k; s++) {
          for (int c = 0; c < CELLS; c++) {
            meanA[c] += a[s][c] / k;
          }
        }
        for (int s = 0; s < k; s++) {
          double fit = 0;
          for (int c = 0; c < CELLS; c++) {
            double q = probs[i * CELLS + c];
            fit += (a[s][c] - meanA[c]) * AmortisedRise.EFFECT_SCALE * Math.log(q / (1 - q)) / CELLS;
          }
          double r = (score[s] - meanScore) - fit;
          loss += r * r;
          for (int c = 0; c < CELLS; c++) {
            double q = probs[i * CELLS + c];
            // d/dq of −2r·(a − ā)·4·logit(q)/cells
            expectedGrad[i * CELLS + c] += -2 * r * (a[s][c] - meanA[c]) * AmortisedRise.EFFECT_SCALE / CELLS
                / (q * (1 - q));
          }
        }
      }
      assertEquals(loss / (N * k), out.loss().getFloat(), 1e-5 * Math.max(1e-3, loss / (N * k)));
      for (int j = 0; j < grad.length; j++) {
        assertEquals(expectedGrad[j] / (N * k), grad[j], 1e-4 * Math.abs(expectedGrad[j] / (N * k)) + 1e-9,
            "gradient of cell " + j);
      }
    }
  }

  @Test
  void blurAndMixedSubstratesFillRemovedPixelsFromTheBlurredImage() throws Exception {
    // The reward is the mean score of the masked images; recomputed here with every removed pixel
    // taken from the insertion metric's blurred image (BLUR), or from it for the images the stream
    // picks after the masks (MIXED) and 0 for the others.
    int k = 3;
    for (Substrate substrate : new Substrate[] {
        Substrate.BLUR, Substrate.MIXED}) {
      try (ObjectiveFixture fixture = new ObjectiveFixture(N);
          NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
        float[] probs = ObjectiveFixture.probabilities(N * CELLS, 5);
        NDArray p = manager.create(probs, new Shape(N, 1, GRID, GRID));
        Objective.Outcome out = new AmortisedRise(new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, k, 4, 0.5f,
            substrate), fixture.classifier).loss(fixture.batch, p, new SplittableRandom(17), manager, 0);
        Objective.Outcome onMean = new AmortisedRise(new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, k, 4, 0.5f),
            fixture.classifier).loss(fixture.batch, p, new SplittableRandom(17), manager, 0);

        SplittableRandom rng = new SplittableRandom(17);
        RiseMasks masks = new RiseMasks(4, 0.5f, 32, 32, rng);
        float[][] drawn = new float[N * k][32 * 32];
        for (float[] m : drawn) {
          masks.next(m, 0);
        }
        Objective.Batch batch = fixture.batch;
        int len = batch.imageLength();
        double mean = 0;
        int blurred = 0;
        for (int i = 0; i < N; i++) {
          boolean blur = substrate == Substrate.BLUR || !rng.nextBoolean();
          blurred += blur ? 1 : 0;
          float[] image = java.util.Arrays.copyOfRange(batch.images(), i * len, (i + 1) * len);
          float[] substrateImage = blur ? DeletionInsertion.blur(image, 32, 32) : new float[len];
          for (int s = 0; s < k; s++) {
            float[] m = drawn[i * k + s];
            float[] masked = new float[len];
            for (int c = 0; c < 3; c++) {
              for (int q = 0; q < 32 * 32; q++) {
                masked[c * 1024 + q] = image[c * 1024 + q] * m[q] + substrateImage[c * 1024 + q] * (1 - m[q]);
              }
            }
            mean += Math.exp(fixture.classifier.logProbabilities(masked, 1, new int[] {batch.targets()[i]})[0]) / (N * k);
          }
        }
        assertEquals(mean, out.reward(), 1e-5, substrate.name());
        if (blurred > 0) {
          assertNotEquals(onMean.reward(), out.reward(), 1e-4, substrate + ": the substrate changed no score");
        }
      }
    }
  }

  @Test
  void severalMaskFamiliesAreTakenInTurnByEachImagesSamples() throws Exception {
    // Samples 0, 2 of every image from a coarse half-keeping grid, 1, 3 from a per-pixel grid keeping
    // 90%, drawn in that order from one stream: the reward (mean score) and the keep fraction are
    // recomputed from those masks.
    int k = 4;
    List<AmortisedRise.Family> families = List.of(new AmortisedRise.Family(4, 0.5f), new AmortisedRise.Family(32, 0.9f));
    try (ObjectiveFixture fixture = new ObjectiveFixture(N);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      NDArray p = manager.create(ObjectiveFixture.probabilities(N * CELLS, 5), new Shape(N, 1, GRID, GRID));
      Objective.Outcome out = new AmortisedRise(new AmortisedRise.Settings(AmortisedRise.Fit.ADDITIVE, k, families,
          Substrate.MEAN), fixture.classifier).loss(fixture.batch, p, new SplittableRandom(23), manager, 0);
      SplittableRandom rng = new SplittableRandom(23);
      RiseMasks[] samplers = {new RiseMasks(4, 0.5f, 32, 32, rng), new RiseMasks(32, 0.9f, 32, 32, rng)};
      double score = 0;
      double[] keep = new double[2];
      for (int i = 0; i < N; i++) {
        for (int s = 0; s < k; s++) {
          Scored next = scoreNext(fixture, samplers[s % 2], i);
          score += next.score() / (N * k);
          for (float c : next.cells()) {
            keep[s % 2] += c / (N * k / 2.0 * CELLS);
          }
        }
      }
      assertEquals(score, out.reward(), 1e-5);
      assertEquals((keep[0] + keep[1]) / 2, out.keep(), 1e-5);
      assertEquals(0.9, keep[1], 0.03, "the per-pixel family keeps 90%");
      assertEquals(0.5, keep[0], 0.2, "the coarse family keeps about half");
    }
    assertThrows(IllegalArgumentException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 1, families,
        Substrate.MEAN), "fewer samples than families");
    assertThrows(IllegalArgumentException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 2, List.of(),
        Substrate.MEAN));
  }

  @Test
  void settingsAndGridsAreChecked() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.ADDITIVE, 1, 8, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 0, 8, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 4, 0, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 4, 8, 0f));
    assertThrows(IllegalArgumentException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 4, 8, Float.NaN));
    assertThrows(NullPointerException.class, () -> new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 4, 8, 0.5f, null));
    try (ObjectiveFixture fixture = new ObjectiveFixture(1);
        NDManager manager = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      NDArray p = manager.create(new float[9], new Shape(1, 1, 3, 3)); // 3 does not divide 32
      assertThrows(IllegalArgumentException.class, () -> new AmortisedRise(new AmortisedRise.Settings(AmortisedRise.Fit.MEAN, 2, 4, 0.5f),
          fixture.classifier).loss(fixture.batch, p, new SplittableRandom(1), manager, 0));
    }
  }

  /** The objective's outcome on {@code probs} (masks on a grid of 4, keep 0.5) and the loss's gradient. */
  private record Ran(Objective.Outcome out, float[] grad) {}

  private static Ran lossAndGradient(ObjectiveFixture fixture, NDManager manager, AmortisedRise.Fit fit, int k,
      float[] probs, long seed) throws Exception {
    NDArray p = manager.create(probs, new Shape(N, 1, GRID, GRID));
    p.setRequiresGradient(true);
    Objective.Outcome out;
    try (GradientCollector gc = Djl.engine().newGradientCollector()) {
      out = new AmortisedRise(new AmortisedRise.Settings(fit, k, 4, 0.5f), fixture.classifier)
          .loss(fixture.batch, p, new SplittableRandom(seed), manager, 0);
      gc.backward(out.loss());
    }
    return new Ran(out, p.getGradient().toFloatArray());
  }

  /** The next mask of {@code masks} applied to image {@code i}: its score and its cell means. */
  private record Scored(double score, float[] cells) {}

  private static Scored scoreNext(ObjectiveFixture fixture, RiseMasks masks, int i) throws Exception {
    Objective.Batch batch = fixture.batch;
    float[] m = new float[32 * 32];
    masks.next(m, 0);
    float[] masked = new float[3 * 32 * 32];
    Masks.applyMask(batch.images(), i * batch.imageLength(), 32, 32, m, 0, 32, 32, masked, 0);
    double score = Math.exp(fixture.classifier.logProbabilities(masked, 1, new int[] {batch.targets()[i]})[0]);
    return new Scored(score, Masks.cellMeans(m, 1, 32, 32, GRID, GRID));
  }
}
