package io.maskserve.trainer.reinforce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.onnxruntime.OrtException;
import io.maskserve.trainer.data.HorizontalFlips;
import java.util.HashMap;
import java.util.Map;
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
 *
 * <p>Dense mode ({@link Settings#dense}): every cell of the grid is ranked, its effects computed once per
 * training image and target (one classifier pass per cell, the first time the image is seen) and
 * kept for later epochs, so the cost is the training set's size times the grid rather than cells
 * times steps. Its logits are standardised per image before ranking ({@code 4·(z − mean)/std}), so
 * the loss depends on the order alone and cannot be lowered by spreading or shifting the map: the
 * keep level stays the inner objective's. Needs the batch's image indices to cache; without them
 * it recomputes every time. Effects are always computed on the image as the training set holds it;
 * a mirrored image reads them mirrored cell for cell (an approximation: the classifier is not
 * exactly mirror-symmetric). The cache holds 4 bytes per cell per image in memory (8 MB for 8,000
 * images on a 16×16 grid); a resumed run recomputes it as it meets the images again, to the same
 * values. Measured on CIFAR-10 (BENCHMARKS.md): full supervision moved deletion only as far as
 * the vanilla gradient's score, because the generators tried do not fit the occlusion order even
 * on their training images.
 */
public final class RemovalRanking implements Objective {

  private final Objective inner;
  private final OrtClassifier classifier;
  private final Settings settings;
  /** Dense mode: the standardised logits' scale (pairs two standard deviations apart differ by 8). */
  static final float DENSE_SCALE = 4f;
  /** Cells scored per classifier call in dense mode (bounds the masked copies held at once). */
  private static final int DENSE_CHUNK = 128;
  /** Dense mode: −log p(target | image without cell) per cell, unmirrored, by (index, target). */
  private final Map<Long, float[]> effects = new HashMap<>();

  /**
   * What the term ranks and how much it weighs.
   *
   * @param cells grid cells drawn per image per step (≥ 2); ignored when {@code dense}
   * @param dense every cell of the grid, effects cached per image ({@link RemovalRanking}'s dense mode)
   * @param weight weight of the ranking loss, &gt; 0 and finite
   */
  public record Settings(int cells, boolean dense, float weight) {

    public Settings {
      if (!dense && cells < 2) {
        throw new IllegalArgumentException("removal ranking needs at least 2 cells per image, got " + cells);
      }
      if (!(weight > 0) || Float.isInfinite(weight)) {
        throw new IllegalArgumentException("the removal-ranking weight must be positive and finite, got " + weight);
      }
    }

    /** {@code cells} random cells per image per step. */
    public static Settings sampled(int cells, float weight) {
      return new Settings(cells, false, weight);
    }

    /** Every cell, effects computed once per image. */
    public static Settings dense(float weight) {
      return new Settings(0, true, weight);
    }

    /**
     * From a command line's {@code N|all} (case-insensitive) and weight: null when {@code N} is 0
     * (the term is off, and the weight is not checked).
     *
     * @throws IllegalArgumentException for anything else than 0, an integer ≥ 2 or {@code all}, or a bad weight
     */
    public static Settings parse(String cells, float weight) {
      String v = cells.trim().toLowerCase(java.util.Locale.ROOT);
      if (v.equals("all")) {
        return dense(weight);
      }
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0 || n == 1) {
        throw new IllegalArgumentException("removal ranking takes 0 (off), a number of cells >= 2 or 'all', got '"
            + cells + "'");
      }
      return n == 0 ? null : sampled(n, weight);
    }

    /** The cells as {@link #parse} reads them: {@code all} or the number. */
    public String cellsLabel() {
      return dense ? "all" : Integer.toString(cells);
    }
  }

  /**
   * @param inner the objective whose loss this adds to (its sampling is unchanged)
   * @param classifier scores the images with one cell removed
   * @param settings what is ranked, and the weight
   */
  public RemovalRanking(Objective inner, OrtClassifier classifier, Settings settings) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Images whose dense effects are cached. */
  int cachedImages() {
    return effects.size();
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
    int n;
    double[] logp;
    int[] chosen = null;
    if (settings.dense()) {
      n = grid;
      logp = denseLogProbabilities(batch, h, w);
    } else {
      n = Math.min(settings.cells(), grid);
      chosen = drawCells(b, grid, n, rng);
      logp = removalLogProbabilities(batch, chosen, n, h, w);
    }
    float[] weights = pairWeights(logp, b, n);
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
    NDArray zs; // [B,N]: the scores ranked
    if (settings.dense()) {
      // Standardised logits: the loss then depends on the order alone and cannot be lowered by
      // spreading or shifting the map, which stays the inner objective's (raw logits at weight 20
      // pushed every keep probability above the mask threshold; BENCHMARKS.md).
      NDArray zc = z.reshape(b, grid);
      zc = zc.sub(zc.mean(new int[] {1}, true));
      NDArray sd = zc.square().mean(new int[] {1}, true).add(1e-6f).sqrt();
      zs = Scalars.times(zc.div(sd), DENSE_SCALE, manager);
    } else {
      float[] select = new float[b * n * grid];
      for (int j = 0; j < b * n; j++) {
        select[j * grid + chosen[j]] = 1f;
      }
      zs = manager.create(select, new Shape(b, n, grid)).mul(z).sum(new int[] {2});
    }
    // softplus(z_b − z_a) for every ordered pair (a, b): [B,N,N] with a the row.
    NDArray diff = zs.reshape(b, 1, n).sub(zs.reshape(b, n, 1));
    NDArray pairLoss = Activation.softPlus(diff).mul(manager.create(weights, new Shape(b, n, n)));
    NDArray rank = Scalars.times(pairLoss.sum(), settings.weight() / ranked, manager);
    return new Outcome(base.loss().add(rank), base.reward(), base.logProb(), base.keep());
  }

  /**
   * {@code log p(target | image without cell)} for every image of the batch and {@code n} cells
   * each ({@code cellsOf[i·n + s]}), image-major.
   */
  private double[] removalLogProbabilities(Objective.Batch batch, int[] cellsOf, int n, int h, int w)
      throws OrtException {
    int grid = h * w;
    // One mask per (image, cell): everything kept but that cell.
    float[] masks = new float[batch.size() * n * grid];
    java.util.Arrays.fill(masks, 1f);
    for (int j = 0; j < batch.size() * n; j++) {
      masks[j * grid + cellsOf[j]] = 0f;
    }
    return classifier.logProbabilities(batch.masked(masks, n, h, w), batch.size() * n, batch.repeatedTargets(n));
  }

  /** Dense mode: every cell's removal log-probability for every image ({@code [b][grid]}), cached. */
  double[] denseLogProbabilities(Objective.Batch batch, int h, int w) throws OrtException {
    int b = batch.size();
    int grid = h * w;
    double[] out = new double[b * grid];
    for (int i = 0; i < b; i++) {
      Long key = batch.indices() == null ? null : ((long) batch.indices()[i] << 32) | batch.targets()[i];
      float[] stored = key == null ? null : effects.get(key);
      if (stored == null) {
        // Always from the image as the training set holds it, so that the cache does not depend on
        // the orientation an image happened to be met in first (a resumed run refills it the same).
        Objective.Batch one = unmirrored(batch, i);
        double[] lp = new double[grid];
        // In chunks: a 224×224 image on a 28×28 grid would otherwise need 784 image copies at once.
        for (int c0 = 0; c0 < grid; c0 += DENSE_CHUNK) {
          int m = Math.min(DENSE_CHUNK, grid - c0);
          int[] chunk = new int[m];
          for (int s = 0; s < m; s++) {
            chunk[s] = c0 + s;
          }
          System.arraycopy(removalLogProbabilities(one, chunk, m, h, w), 0, lp, c0, m);
        }
        stored = new float[grid];
        for (int c = 0; c < grid; c++) {
          stored[c] = (float) lp[c];
        }
        if (key != null) {
          effects.put(key, stored);
        }
      }
      float[] view = stored;
      if (batch.mirrored(i)) {
        view = stored.clone();
        HorizontalFlips.apply(view, 1, h, w, new boolean[] {true});
      }
      for (int c = 0; c < grid; c++) {
        out[i * grid + c] = view[c];
      }
    }
    return out;
  }

  /** Image {@code i} of the batch alone, mirrored back when augmentation mirrored it. */
  private static Objective.Batch unmirrored(Objective.Batch batch, int i) {
    int len = batch.imageLength();
    float[] image = java.util.Arrays.copyOfRange(batch.images(), i * len, (i + 1) * len);
    if (batch.mirrored(i)) {
      HorizontalFlips.apply(image, 3, batch.height(), batch.width(), new boolean[] {true});
    }
    return new Objective.Batch(image, 1, batch.height(), batch.width(), new int[] {batch.targets()[i]});
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
