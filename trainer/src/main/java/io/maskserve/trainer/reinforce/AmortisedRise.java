package io.maskserve.trainer.reinforce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import io.maskserve.zoo.masks.RiseMasks;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The {@code rise} objective: the generator learns from the classifier's scores on RISE's random
 * masks (Petsiuk, Das &amp; Saenko 2018), so that one generator pass gives what RISE estimates from
 * thousands of classifier passes per image. The masks do not depend on the generator, so this is
 * plain regression: no policy gradient, no baseline.
 *
 * <p>Each step draws K masks {@code M_k} per image ({@link RiseMasks}: an {@code s x s}
 * Bernoulli(q) grid upsampled bilinearly, at a random shift; removed pixels are 0 in normalised
 * space), scores {@code P_k = p(target | x ⊙ M_k)}, and averages each mask over the map's cells,
 * {@code a_k(c)}. Two fits of the map {@code m} (keep probabilities, in [0,1]) to them:
 *
 * <ul>
 *   <li>{@link Fit#MEAN}, RISE's own estimate: {@code loss = mean_k,c a_k(c)·(m(c) − P_k)²}. For one
 *       image the expected loss is minimised by {@code m(c) = E[a(c)·P] / E[a(c)]}, RISE's saliency
 *       (the expected score given the cell is kept) averaged over the cell; the few samples of a
 *       step are an unbiased but noisy target (the noise is the whole spread of {@code P} over
 *       masks, and does not shrink as the map improves).
 *   <li>{@link Fit#ADDITIVE}, least squares on an additive model of the score, as KernelSHAP and
 *       FastSHAP fit one: {@code P_k ≈ β + Σ_c a_k(c)·φ(c)} with the cell effects {@code φ(c) =
 *       4·logit(m(c)) / cells} (with m clipped to [1e-4, 1 − 1e-4] a cell's effect can reach
 *       ±37/cells, a region of a tenth of the image ±3.7) and the image's intercept β fitted in
 *       closed form (both sides centred over the image's K samples, so K ≥ 2): {@code loss =
 *       mean_k (P̃_k − Σ_c ã_k(c)·φ(c))²}.
 *       Each sample informs every cell at once and the residual, not the raw score, drives the
 *       gradient, so the noise falls as the fit improves. The map ranks cells by their additive
 *       effect on the score; 0.5 is no effect.
 * </ul>
 *
 * <p>Several {@link Family families} of masks can share one fit, an image's samples taking them in
 * turn: coarse half-keeping masks measure what whole regions are worth (the insertion metric's
 * question), fine masks that keep most pixels measure what scattered pixels are worth at the start
 * of a deletion curve, and one additive model must explain both.
 *
 * <p>Removed pixels go to a {@link Substrate}: the dataset mean (0 in normalised space, RISE's and
 * the deletion metric's choice), the image blurred as the insertion metric blurs it, or one of the
 * two per image and step. The additive fit centres each image's scores over its samples, which
 * share the image's substrate, so the intercept absorbs the substrate's own score.
 *
 * <p>The deterministic mask keeps the cells above {@link #threshold()}: for the additive fit the
 * cells that raise the score; for the mean fit, whose map is the expected score, those under which
 * the class keeps half its probability on average.
 */
public final class AmortisedRise implements Objective {

  /** The additive fit's cell effect per unit of the map's logit, times the number of cells. */
  static final float EFFECT_SCALE = 4f;

  /** Default threshold of the deterministic mask. */
  public static final float THRESHOLD = 0.5f;

  /** How the map is fitted to the masks' scores (see the class documentation). */
  public enum Fit {
    /** RISE's conditional mean: the expected score given the cell is kept. */
    MEAN,
    /** Least squares on an additive model of the score, the map's logits the cells' effects. */
    ADDITIVE
  }

  /**
   * One kind of random mask: RISE's {@code grid x grid} Bernoulli({@code keep}) grid.
   *
   * @param grid RISE's grid side s, {@code >= 1}
   * @param keep RISE's probability of keeping a grid cell, in (0,1]
   */
  public record Family(int grid, float keep) {
    public Family {
      if (grid < 1 || !(keep > 0f && keep <= 1f)) {
        throw new IllegalArgumentException("rise masks need grid >= 1 and keep in (0,1]; got grid " + grid + ", keep "
            + keep);
      }
    }
  }

  /**
   * The objective's settings.
   *
   * @param fit how the map is fitted
   * @param samples masks per image per step, {@code >= 1} ({@code >= 2} for {@link Fit#ADDITIVE}) and at
   *     least one per family
   * @param families the kinds of mask; sample {@code j} of an image is drawn from family {@code j mod
   *     families}, so several families fit one additive model to effects measured at several scales
   * @param substrate what removed pixels become
   */
  public record Settings(Fit fit, int samples, List<Family> families, Substrate substrate) {
    public Settings {
      Objects.requireNonNull(fit, "fit");
      Objects.requireNonNull(substrate, "substrate");
      families = List.copyOf(families);
      int least = Math.max(fit == Fit.ADDITIVE ? 2 : 1, families.size());
      if (families.isEmpty() || samples < least) {
        throw new IllegalArgumentException("rise objective (" + fit.name().toLowerCase(java.util.Locale.ROOT)
            + " fit): samples must be >= " + least + " (2 for the additive fit, and one per mask family), with at"
            + " least one family; got samples " + samples + ", " + families.size() + " families");
      }
    }

    /** Settings with one family of masks. */
    public Settings(Fit fit, int samples, int grid, float keep, Substrate substrate) {
      this(fit, samples, List.of(new Family(grid, keep)), substrate);
    }

    /** Settings with one family of masks, removed pixels to the mean (RISE's own choice). */
    public Settings(Fit fit, int samples, int grid, float keep) {
      this(fit, samples, grid, keep, Substrate.MEAN);
    }
  }

  private final Settings settings;
  private final OrtClassifier classifier;

  /**
   * @param settings samples, grid and keep probability of the masks
   * @param classifier scores masked images
   */
  public AmortisedRise(Settings settings, OrtClassifier classifier) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
  }

  @Override
  public float threshold() {
    return THRESHOLD;
  }

  @Override
  public Outcome loss(Batch batch, NDArray p, SplittableRandom rng, NDManager manager, double progress)
      throws OrtException {
    int b = batch.size();
    int k = settings.samples();
    int height = batch.height();
    int width = batch.width();
    int h = (int) p.getShape().get(2);
    int w = (int) p.getShape().get(3);
    if (height % h != 0 || width % w != 0) {
      throw new IllegalArgumentException("the generator's " + h + "x" + w + " grid must divide the " + height + "x"
          + width + " input");
    }
    int plane = height * width;
    List<Family> families = settings.families();
    RiseMasks[] samplers = new RiseMasks[families.size()];
    for (int f = 0; f < samplers.length; f++) {
      samplers[f] = new RiseMasks(families.get(f).grid(), families.get(f).keep(), height, width, rng);
    }
    float[] masks = new float[b * k * plane];
    for (int j = 0; j < b * k; j++) {
      samplers[(j % k) % samplers.length].next(masks, j * plane);
    }
    boolean[] blurred = settings.substrate().blurred(b, rng); // drawn after the masks
    float[] masked = batch.masked(masks, k, height, width, (i, s) -> blurred[i]);
    double[] logp = classifier.logProbabilities(masked, b * k, batch.repeatedTargets(k));
    float[] target = new float[b * k];
    double probSum = 0;
    double logSum = 0;
    for (int j = 0; j < b * k; j++) {
      target[j] = (float) Math.exp(logp[j]);
      probSum += target[j];
      logSum += logp[j];
    }
    float[] cellMeans = Masks.cellMeans(masks, b * k, height, width, h, w);
    double keepSum = 0;
    for (float v : cellMeans) {
      keepSum += v;
    }
    int cells = h * w;
    NDArray loss;
    if (settings.fit() == Fit.MEAN) {
      NDArray a = manager.create(cellMeans, new Shape(b, k, cells));
      NDArray t = manager.create(target, new Shape(b, k, 1));
      NDArray diff = p.reshape(b, 1, cells).sub(t);
      loss = a.mul(diff.mul(diff)).mean();
    } else {
      centre(cellMeans, b, k, cells);
      centre(target, b, k, 1);
      // φ = 4·logit(m) / cells, the cell's additive effect (the scale through Scalars, see there).
      NDArray a = manager.create(cellMeans, new Shape(b, k, cells));
      NDArray t = manager.create(target, new Shape(b, k));
      NDArray m = p.reshape(b, 1, cells).clip(Reinforce.EPS, 1 - Reinforce.EPS);
      NDArray phi = Scalars.times(m.log().sub(m.neg().add(1).log()), EFFECT_SCALE / cells, manager);
      NDArray residual = t.sub(a.mul(phi).sum(new int[] {2}));
      loss = residual.mul(residual).mean();
    }
    int n = b * k;
    return new Outcome(loss, probSum / n, logSum / n, keepSum / cellMeans.length);
  }

  /** Subtracts, per image, the mean over its {@code k} samples of each of {@code len} values. */
  static void centre(float[] values, int images, int k, int len) {
    for (int i = 0; i < images; i++) {
      for (int c = 0; c < len; c++) {
        double mean = 0;
        for (int s = 0; s < k; s++) {
          mean += values[(i * k + s) * len + c];
        }
        float m = (float) (mean / k);
        for (int s = 0; s < k; s++) {
          values[(i * k + s) * len + c] -= m;
        }
      }
    }
  }
}
