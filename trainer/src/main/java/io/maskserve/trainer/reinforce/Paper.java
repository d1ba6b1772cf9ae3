package io.maskserve.trainer.reinforce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The {@code paper} objective: our reading of the authors' TF1 reference code (the paper text was
 * not available), kept as a faithful baseline.
 *
 * <ul>
 *   <li>One Bernoulli mask m per image; removed cells are 0 in normalised space (the dataset
 *       mean).
 *   <li>Cost {@code c = CE(y, classifier(m ⊙ x)) + 3·TV(m) + 3.5·area(m)}.
 *   <li>Gradient pseudo-labels from the unmasked image: {@code g = max_channels |∂logit_y/∂x|},
 *       divided by its 99th percentile over the image, clipped to [0,1], averaged to the
 *       generator's grid; salient {@code s = smooth3x3(g ≥ 0.2) ≥ 0.5}.
 *   <li>Loss per cell, with {@code log π = m·log p + (1−m)·log(1−p)}: on salient cells {@code
 *       −(100/c − 9)·log π} (a sample with a low cost is reinforced there, one with a cost above
 *       ~11 pushed away), elsewhere {@code c·log π} (REINFORCE without a baseline); plus, on the
 *       cells the sample kept, the pseudo-label log-likelihood {@code −|0.2 − g|·(s·log p +
 *       (1−s)·log(1−p))}. Summed over cells, averaged over cells and images.
 *   <li>The deterministic mask at test time keeps {@code p ≥ 0.35}.
 * </ul>
 */
public final class Paper implements Objective {

  /** Weight of TV in the cost. */
  public static final float TV_WEIGHT = 3f;
  /** Weight of the kept fraction in the cost. */
  public static final float AREA_WEIGHT = 3.5f;
  /** Keep threshold of the deterministic mask. */
  public static final float THRESHOLD = 0.35f;
  /** Normalised gradient above which a pixel is salient. */
  static final float SALIENT = 0.2f;

  private final OrtClassifier classifier;
  private final OrtGradients logitGradients;

  /**
   * @param classifier scores masked images
   * @param logitGradients input gradients of the target's logit (score {@code LOGIT})
   */
  public Paper(OrtClassifier classifier, OrtGradients logitGradients) {
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.logitGradients = Objects.requireNonNull(logitGradients, "logitGradients");
  }

  @Override
  public float threshold() {
    return THRESHOLD;
  }

  @Override
  public Outcome loss(Batch batch, NDArray p, SplittableRandom rng, NDManager manager, double progress)
      throws OrtException {
    int b = batch.size();
    int h = (int) p.getShape().get(2);
    int w = (int) p.getShape().get(3);
    int cells = h * w;
    int imageLen = batch.imageLength();
    float[] masks = Masks.sample(p.toFloatArray(), b, 1, cells, rng);
    double[] logp = classifier.logProbabilities(batch.masked(masks, 1, h, w), b, batch.targets());
    float[] grad = logitGradients.run(batch.images(), b, batch.targets()).inputGrad();

    float[] weight = new float[b * cells];
    float[] labelWeight = new float[b * cells];
    float[] label = new float[b * cells];
    double costSum = 0;
    double keepSum = 0;
    for (int i = 0; i < b; i++) {
      int off = i * cells;
      double area = Masks.area(masks, off, cells);
      double cost = -logp[i] + TV_WEIGHT * Masks.totalVariation(masks, off, h, w) + AREA_WEIGHT * area;
      costSum += cost;
      keepSum += area;
      float[] g = saliency(grad, i * imageLen, batch.height(), batch.width(), h, w);
      boolean[] salient = salient(g, h, w);
      for (int c = 0; c < cells; c++) {
        weight[off + c] = (float) (salient[c] ? -(100 / Math.max(cost, 1e-3) - 9) : cost);
        if (masks[off + c] > 0) {
          labelWeight[off + c] = Math.abs(SALIENT - g[c]);
        }
        label[off + c] = salient[c] ? 1f : 0f;
      }
    }
    NDArray flat = p.reshape(b, cells);
    NDArray pc = flat.clip(Reinforce.EPS, 1 - Reinforce.EPS);
    NDArray logP = pc.log();
    NDArray log1mP = pc.neg().add(1).log();
    NDArray m = manager.create(masks, new Shape(b, cells));
    NDArray logPi = m.mul(logP).add(m.neg().add(1).mul(log1mP));
    NDArray s = manager.create(label, new Shape(b, cells));
    NDArray pseudo = s.mul(logP).add(s.neg().add(1).mul(log1mP));
    NDArray loss = manager.create(weight, new Shape(b, cells)).mul(logPi)
        .sub(manager.create(labelWeight, new Shape(b, cells)).mul(pseudo))
        .mean();
    double meanLogp = Arrays.stream(logp).sum() / b;
    return new Outcome(loss, -costSum / b, meanLogp, keepSum / b);
  }

  /**
   * Normalised saliency at the grid: per pixel the largest |gradient| over channels, divided by the
   * image's 99th percentile and clipped to [0,1], then averaged over each cell.
   */
  static float[] saliency(float[] grad, int offset, int hh, int ww, int h, int w) {
    int plane = hh * ww;
    float[] pix = new float[plane];
    for (int q = 0; q < plane; q++) {
      float v = 0;
      for (int c = 0; c < 3; c++) {
        v = Math.max(v, Math.abs(grad[offset + c * plane + q]));
      }
      pix[q] = v;
    }
    float[] sorted = pix.clone();
    Arrays.sort(sorted);
    float p99 = sorted[Math.min(plane - 1, (int) Math.floor(0.99 * (plane - 1)))];
    float scale = p99 > 0 ? 1 / p99 : 0;
    for (int q = 0; q < plane; q++) {
      pix[q] = Math.min(1f, pix[q] * scale);
    }
    return Masks.cellMeans(pix, 1, hh, ww, h, w);
  }

  /** {@code g ≥ 0.2}, smoothed by a 3×3 mean (inside the grid), kept where the mean is ≥ 0.5. */
  static boolean[] salient(float[] g, int h, int w) {
    boolean[] out = new boolean[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int on = 0;
        int n = 0;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int yy = y + dy;
            int xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
              n++;
              on += g[yy * w + xx] >= SALIENT ? 1 : 0;
            }
          }
        }
        out[y * w + x] = on * 2 >= n;
      }
    }
    return out;
  }
}
