package io.maskserve.trainer.reinforce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.onnxruntime.OrtException;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An objective plus a ranking term from the classifier's removal effects: the classifier's answer
 * to "what happens without this cell?" as auxiliary information, beside the paper's input gradients.
 *
 * <p>Why: the policy-gradient objectives score what a mask <em>keeps</em>. Every cell worth more
 * than its area cost saturates near p = 1, so the map carries no order inside the kept region —
 * and that order is what a deletion curve reads first (measured on CIFAR-10: keep maps delete
 * worse than the vanilla gradient, while a map of single-cell removal effects deletes better than
 * every gradient method). Destroyer samples ask the question through the score function, a few
 * noisy bits per image; this term asks it directly.
 *
 * <p>What: each step, for every image, {@code cells} distinct grid cells are drawn at random and the
 * classifier scores the image with each one removed alone (set to 0 in normalised space, the
 * paper's removal): {@code e_c = −log p(y | x without c)}, the larger the more the class needs that
 * cell. The term is RankNet's pairwise logistic loss on the map's logits {@code z = logit p}, every
 * ordered pair weighted by how much more one removal hurts than the other:
 *
 * <pre>  L_rank = Σ_i Σ_{a,b} w_iab · softplus(z_ib − z_ia),   w_iab = max(0, e_ia − e_ib) / Σ_{a,b} max(0, e_ia − e_ib)</pre>
 *
 * averaged over the images whose sampled cells differ at all. It asks only for an order: a logit
 * difference of a few units satisfies it, and inside a saturated region (p ≈ 1 for logits 5 and 9
 * alike) it can reorder cells while the masks the keep objective samples barely change. (At a
 * large weight it does change them: on CIFAR-10 at weight 20 every keep probability ended above the
 * mask threshold, BENCHMARKS.md.) Costs {@code cells} classifier passes per image per step (the
 * inner objective's samples cost K).
 */
public final class RemovalRanking implements Objective {

  private final Objective inner;
  private final OrtClassifier classifier;
  private final int cells;
  private final float weight;

  /**
   * @param inner the objective whose loss this adds to (its sampling is unchanged)
   * @param classifier scores the images with one cell removed
   * @param cells grid cells drawn per image per step, ≥ 2
   * @param weight weight of the ranking loss, &gt; 0
   */
  public RemovalRanking(Objective inner, OrtClassifier classifier, int cells, float weight) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    if (cells < 2) {
      throw new IllegalArgumentException("removal ranking needs at least 2 cells per image, got " + cells);
    }
    if (!(weight > 0) || Float.isInfinite(weight)) {
      throw new IllegalArgumentException("removal-ranking weight must be positive and finite, got " + weight);
    }
    this.cells = cells;
    this.weight = weight;
  }

  @Override
  public float threshold() {
    return inner.threshold();
  }

  @Override
  public Outcome loss(Batch batch, NDArray probs, SplittableRandom rng, NDManager manager, double progress)
      throws OrtException {
    Outcome base = inner.loss(batch, probs, rng, manager, progress);
    int b = batch.size();
    int h = (int) probs.getShape().get(2);
    int w = (int) probs.getShape().get(3);
    int grid = h * w;
    int n = Math.min(cells, grid);
    int[] chosen = drawCells(b, grid, n, rng);
    // One mask per (image, drawn cell): everything kept but that cell.
    float[] masks = new float[b * n * grid];
    java.util.Arrays.fill(masks, 1f);
    for (int j = 0; j < b * n; j++) {
      masks[j * grid + chosen[j]] = 0f;
    }
    double[] logp = classifier.logProbabilities(batch.masked(masks, n, h, w), b * n, batch.repeatedTargets(n));
    float[] weights = pairWeights(logp, b, n);
    float[] select = new float[b * n * grid];
    for (int j = 0; j < b * n; j++) {
      select[j * grid + chosen[j]] = 1f;
    }
    int ranked = 0;
    for (int i = 0; i < b; i++) {
      for (int a = 0; a < n * n; a++) {
        if (weights[i * n * n + a] > 0) {
          ranked++;
          break;
        }
      }
    }
    if (ranked == 0) {
      return base;
    }
    NDArray pc = probs.reshape(b, 1, grid).clip(Reinforce.EPS, 1 - Reinforce.EPS);
    NDArray z = pc.log().sub(pc.neg().add(1).log()); // [B,1,grid]
    NDArray zs = manager.create(select, new Shape(b, n, grid)).mul(z).sum(new int[] {2}); // [B,N]
    // softplus(z_b − z_a) for every ordered pair (a, b): [B,N,N] with a the row.
    NDArray diff = zs.reshape(b, 1, n).sub(zs.reshape(b, n, 1));
    NDArray pairLoss = Activation.softPlus(diff).mul(manager.create(weights, new Shape(b, n, n)));
    NDArray rank = Scalars.times(pairLoss.sum(), weight / ranked, manager);
    return new Outcome(base.loss().add(rank), base.reward(), base.logProb(), base.keep());
  }

  /** {@code n} distinct cells of {@code grid} per image ({@code [b][n]}), by a partial Fisher–Yates shuffle. */
  static int[] drawCells(int b, int grid, int n, SplittableRandom rng) {
    int[] out = new int[b * n];
    int[] perm = new int[grid];
    for (int i = 0; i < b; i++) {
      for (int c = 0; c < grid; c++) {
        perm[c] = c;
      }
      for (int s = 0; s < n; s++) {
        int r = s + rng.nextInt(grid - s);
        int t = perm[s];
        perm[s] = perm[r];
        perm[r] = t;
        out[i * n + s] = perm[s];
      }
    }
    return out;
  }

  /**
   * {@code w[i][a][b] = max(0, e_a − e_b)} normalised to sum 1 per image (all 0 when its cells'
   * effects are equal), with {@code e = −log p(y | x without the cell)}.
   */
  static float[] pairWeights(double[] logp, int b, int n) {
    float[] out = new float[b * n * n];
    for (int i = 0; i < b; i++) {
      double total = 0;
      for (int a = 0; a < n; a++) {
        for (int c = 0; c < n; c++) {
          double d = logp[i * n + c] - logp[i * n + a]; // e_a − e_c
          if (d > 0) {
            total += d;
          }
        }
      }
      if (!(total > 0)) {
        continue;
      }
      for (int a = 0; a < n; a++) {
        for (int c = 0; c < n; c++) {
          double d = logp[i * n + c] - logp[i * n + a];
          out[(i * n + a) * n + c] = d > 0 ? (float) (d / total) : 0f;
        }
      }
    }
    return out;
  }
}
