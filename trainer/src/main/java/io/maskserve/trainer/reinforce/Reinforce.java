package io.maskserve.trainer.reinforce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The {@code reinforce} objective: K Bernoulli masks per image, reward {@code r = log p(y | m ⊙ x)
 * − λ_area·area(m) − λ_tv·TV(m)}, leave-one-out baseline, entropy bonus, and (when input gradients
 * are available) a first-order Taylor control variate.
 *
 * <p>With a deletion weight β &gt; 0 the reward also has {@code − β·p(y | (1 − m) ⊙ x)^0.3}: the
 * image with the kept region removed should lose the class (the "destroyer" term of Dabkowski &amp;
 * Gal 2017 beside the "preserver" log-probability, and what deletion metrics measure). It is a
 * power of the probability, bounded in [0, β], not a log-probability: on a removal-sensitive
 * classifier log p of the complement reaches −30 and a log term swamped the preservation reward
 * (measured on CIFAR-10). That term goes through the plain score function with the same
 * leave-one-out baseline.
 *
 * <p>Only the classifier term needs the score-function estimator: the expectations of the area
 * and TV terms under the Bernoulli policy are closed-form (mean p, and P(m_a ≠ m_b) per neighbour
 * pair), so their gradients are taken exactly, which removes their share of the variance.
 *
 * <p><b>Taylor control variate</b> (MuProp, Gu et al. 2016). With the mean mask m̄ = p (the
 * probabilities themselves, a soft mask) the classifier's input gradient at m̄ ⊙ x gives, for
 * f(m) = log p(y | m ⊙ x), {@code ∇f(m̄)} per cell: {@code Σ_{pixels of the cell, channels} x ·
 * ∂log p(y)/∂x̃}. The estimator
 *
 * <pre>  ∇θ E[f] = E[(f(m) − η·(f(m̄) + ∇f(m̄)·(m − m̄))) ∇θ log π(m)] + η·∇f(m̄)·∇θ p</pre>
 *
 * is unbiased for any η (the subtracted term has the known expectation added back), and its
 * second term is a dense per-cell signal from the classifier's gradients — the paper's "gradients
 * as auxiliary information", used without biasing the policy gradient. The leave-one-out baseline
 * is then taken over the residuals {@code f(m_k) − η·lin(m_k)}.
 *
 * <p><b>Nested budgets</b> (optional exponents γ_1..γ_n, cycled over the K samples). Sample k is
 * drawn from {@code q_k = p^γ_k} instead of p and pays {@code γ_k·λ_area} per kept cell. Without
 * them a cell's share of the objective is linear in its keep probability, so every cell worth more
 * than λ_area saturates at p ≈ 1 and the map carries no order inside the kept region — the order
 * deletion curves and the pointing game read. With them a cell's share is {@code Σ_k (v_k −
 * γ_k·λ)·p^γ_k}, whose maximum is interior for values between λ and γ_max·λ and rises with the
 * value: the sharper samples are smaller masks that must still keep the class, so the cells they
 * keep get the highest probabilities. Thresholds of one map become a family of nested masks, each
 * trained at its own budget. The estimator stays unbiased: each sample's score function and control
 * variate use its own q_k.
 *
 * <p><b>Destroyer samples</b> (optional removal budgets f_1..f_n, with β &gt; 0). Every second
 * sample is then a removal set R of about a fraction f of the cells (one f per image, drawn from
 * the list), rewarded {@code − β·p(y | R removed)^0.3} and nothing else; the other samples are
 * the keep samples above (nested exponents cycled over them) without the deletion term. R is drawn
 * cell by cell from {@code σ((logit p − t)/τ)}, t the logit p quantile that leaves f of the cells
 * above it: nearly the superlevel set of the map at that budget — what a deletion curve removes —
 * with only the cells near the threshold uncertain, so the score function asks exactly "should
 * this boundary cell rank above or below the others?". (Removal sets drawn from a power of p
 * instead are scattered over the high-p region; a deletion curve removes a contiguous top of the
 * map, and on CIFAR-10 maps trained that way deleted worse, measured.) A kept region is most of the
 * image and removing it destroys the class whichever cells it holds, which is why the deletion
 * term on keep samples carries no ranking. Each group (keep, destroy) has its own leave-one-out
 * baseline; the area, TV and Taylor control variate terms apply to the keep samples.
 *
 * <p><b>Inserter samples</b> (optional insertion budgets g_1..g_n, with weight α &gt; 0): the
 * insertion curve's counterpart. An inserter sample is drawn as a destroyer is, from the soft
 * superlevel set of the map at a fraction g of its cells (one g per image from the list), but its
 * set is what is <em>kept</em>, everything else goes to the insertion metric's blurred image, and it
 * is rewarded {@code + α·p(y | set kept on the blur)^0.3}: the top of the map should hold the cells
 * that, inserted first into the blurred photo, bring the class back — what an insertion curve reads
 * at its start. Keep, destroyer and inserter samples then take turns (K a multiple of the number of
 * kinds, at least two of each), each kind with its own leave-one-out baseline.
 *
 * <p><b>Keep substrate</b> (optional): the keep samples' removed pixels can go to the insertion
 * metric's blurred image instead of the mean ({@link Substrate}), so that their reward asks the
 * insertion question; destroyer samples and the deletion term stay on the mean, the deletion
 * metric's substrate.
 */
public final class Reinforce implements Objective {

  /** Exponent of the deletion term's probability (Dabkowski &amp; Gal's destroyer term). */
  static final double DELETION_EXPONENT = 0.3;

  /**
   * Exponent of the inserter samples' probability: bounded like the deletion term's, and steeper
   * near 0, where a small kept region on the blur starts.
   */
  static final double INSERTION_EXPONENT = 0.3;

  /**
   * τ of the destroyer samples' soft superlevel sets σ((logit p − t)/τ), in logit units: cells
   * more than ~3τ from the threshold are removed or kept almost surely.
   */
  static final float DESTROYER_TEMPERATURE = 0.25f;

  /** Probabilities are clipped this far from 0 and 1 so log π stays finite. */
  static final float EPS = 1e-4f;

  /**
   * Settings.
   *
   * @param samples masks per image (K ≥ 2)
   * @param lambdaArea weight of the kept fraction
   * @param lambdaTv weight of the total variation
   * @param entropyWeight weight of the mean Bernoulli entropy bonus
   * @param estimator how the gradient of the classifier term is estimated
   * @param taylorWeight η: weight of the Taylor control variate ({@code MUPROP}) or of the local
   *     gradient term ({@code LOCAL}); ignored by {@code REINFORCE}
   * @param threshold keep threshold of the deterministic mask
   * @param deletionWeight β: weight of {@code − p(y | (1 − m) ⊙ x)^0.3} in the reward, 0 = none
   * @param nestedExponents the nested-budget exponents γ (each ≥ 1), cycled over the keep samples;
   *     empty = every keep sample from p itself
   * @param destroyerBudgets removal fractions f in (0, 1) of the destroyer samples (every second
   *     sample, weight β; one f per image drawn from the list); empty = none
   * @param keepSubstrate what the keep samples' removed pixels become (destroyer samples and the
   *     deletion term always remove to the mean, as the deletion metric does); other than {@link
   *     Substrate#MEAN} only with {@link Estimator#REINFORCE}, whose gradient needs no Taylor
   *     expansion of the score
   * @param inserterBudgets kept fractions g in (0, 1) of the inserter samples (one g per image drawn
   *     from the list; scored on the blurred image, weight α); empty = none
   * @param insertionWeight α: weight of {@code + p(y | inserter set kept on the blur)^0.3}
   */
  public record Settings(int samples, float lambdaArea, float lambdaTv, float entropyWeight, Estimator estimator,
      float taylorWeight, float threshold, float deletionWeight, List<Float> nestedExponents,
      List<Float> destroyerBudgets, Substrate keepSubstrate, List<Float> inserterBudgets, float insertionWeight) {

    /** Settings without inserter samples. */
    public Settings(int samples, float lambdaArea, float lambdaTv, float entropyWeight, Estimator estimator,
        float taylorWeight, float threshold, float deletionWeight, List<Float> nestedExponents,
        List<Float> destroyerBudgets, Substrate keepSubstrate) {
      this(samples, lambdaArea, lambdaTv, entropyWeight, estimator, taylorWeight, threshold, deletionWeight,
          nestedExponents, destroyerBudgets, keepSubstrate, List.of(), 0f);
    }

    /** Settings whose keep samples remove to the mean. */
    public Settings(int samples, float lambdaArea, float lambdaTv, float entropyWeight, Estimator estimator,
        float taylorWeight, float threshold, float deletionWeight, List<Float> nestedExponents,
        List<Float> destroyerBudgets) {
      this(samples, lambdaArea, lambdaTv, entropyWeight, estimator, taylorWeight, threshold, deletionWeight,
          nestedExponents, destroyerBudgets, Substrate.MEAN);
    }

    /** Settings without destroyer samples. */
    public Settings(int samples, float lambdaArea, float lambdaTv, float entropyWeight, Estimator estimator,
        float taylorWeight, float threshold, float deletionWeight, List<Float> nestedExponents) {
      this(samples, lambdaArea, lambdaTv, entropyWeight, estimator, taylorWeight, threshold, deletionWeight,
          nestedExponents, List.of());
    }

    /** Settings without the deletion term or nested budgets. */
    public Settings(int samples, float lambdaArea, float lambdaTv, float entropyWeight, Estimator estimator,
        float taylorWeight, float threshold) {
      this(samples, lambdaArea, lambdaTv, entropyWeight, estimator, taylorWeight, threshold, 0f);
    }

    /** Settings without nested budgets. */
    public Settings(int samples, float lambdaArea, float lambdaTv, float entropyWeight, Estimator estimator,
        float taylorWeight, float threshold, float deletionWeight) {
      this(samples, lambdaArea, lambdaTv, entropyWeight, estimator, taylorWeight, threshold, deletionWeight,
          List.of());
    }

    public Settings {
      if (samples < 2) {
        throw new IllegalArgumentException("reinforce needs at least 2 samples per image, got " + samples);
      }
      java.util.Objects.requireNonNull(estimator, "estimator");
      java.util.Objects.requireNonNull(keepSubstrate, "keepSubstrate");
      if (keepSubstrate != Substrate.MEAN && estimator != Estimator.REINFORCE) {
        // MUPROP's and LOCAL's first-order terms differentiate the score on the mean substrate.
        throw new IllegalArgumentException("a keep substrate other than the mean needs the REINFORCE estimator, got "
            + estimator);
      }
      if (lambdaArea < 0 || lambdaTv < 0 || entropyWeight < 0 || taylorWeight < 0 || !(deletionWeight >= 0)
          || !(insertionWeight >= 0)) {
        throw new IllegalArgumentException("reinforce weights must be non-negative");
      }
      if (!(threshold > 0 && threshold < 1)) {
        throw new IllegalArgumentException("threshold must be in (0,1), got " + threshold);
      }
      nestedExponents = List.copyOf(nestedExponents);
      for (Float g : nestedExponents) {
        if (!(g >= 1 && g <= 64)) {
          throw new IllegalArgumentException("nested-budget exponents must be in [1, 64], got " + g);
        }
      }
      destroyerBudgets = fractions(destroyerBudgets, "destroyer");
      inserterBudgets = fractions(inserterBudgets, "inserter");
      if (!destroyerBudgets.isEmpty() && !(deletionWeight > 0)) {
        throw new IllegalArgumentException("destroyer samples need a deletion weight > 0");
      }
      if (inserterBudgets.isEmpty() != !(insertionWeight > 0)) {
        throw new IllegalArgumentException(inserterBudgets.isEmpty()
            ? "an insertion weight needs inserter budgets (it weighs nothing else)"
            : "inserter samples need an insertion weight > 0");
      }
      int kinds = 1 + (destroyerBudgets.isEmpty() ? 0 : 1) + (inserterBudgets.isEmpty() ? 0 : 1);
      if (kinds > 1 && (samples < 2 * kinds || samples % kinds != 0)) {
        throw new IllegalArgumentException("keep" + (destroyerBudgets.isEmpty() ? "" : ", destroyer")
            + (inserterBudgets.isEmpty() ? "" : ", inserter") + " samples take turns: samples must be a multiple of "
            + kinds + " and >= " + 2 * kinds + " (at least two of each kind, each kind with a leave-one-out"
            + " baseline), got " + samples);
      }
    }

    private static List<Float> fractions(List<Float> budgets, String kind) {
      List<Float> out = List.copyOf(budgets);
      for (Float f : out) {
        if (!(f > 0 && f < 1)) {
          throw new IllegalArgumentException(kind + " budgets must be fractions in (0, 1), got " + f);
        }
      }
      return out;
    }

    /** Sample kinds that take turns: keep, then destroyer and inserter when they are on. */
    int kinds() {
      return 1 + (destroyerBudgets.isEmpty() ? 0 : 1) + (inserterBudgets.isEmpty() ? 0 : 1);
    }

    /** Whether sample {@code s} is a destroyer sample (every second one when only they are on). */
    public boolean destroyer(int s) {
      return !destroyerBudgets.isEmpty() && s % kinds() == 1;
    }

    /** Whether sample {@code s} is an inserter sample (the last of each turn when they are on). */
    public boolean inserter(int s) {
      return !inserterBudgets.isEmpty() && s % kinds() == kinds() - 1;
    }

    /** Whether sample {@code s} is a keep sample, drawn from (a power of) p. */
    public boolean keep(int s) {
      return s % kinds() == 0;
    }

    /**
     * γ of keep sample {@code s}: the nested exponents cycled over the keep samples, 1 when there
     * are none (and for destroyers and inserters, which are not drawn from a power of p).
     */
    public float exponent(int s) {
      if (!keep(s) || nestedExponents.isEmpty()) {
        return 1f;
      }
      return nestedExponents.get((s / kinds()) % nestedExponents.size());
    }

    /** Whether some samples are not drawn from p itself. */
    boolean perSamplePolicies() {
      return !nestedExponents.isEmpty() || kinds() > 1;
    }
  }

  /** Estimators of ∇E[log p(y | m ⊙ x)]. */
  public enum Estimator {
    /** Score function with the leave-one-out baseline. */
    REINFORCE,
    /** REINFORCE plus the unbiased Taylor control variate at the mean mask (MuProp). */
    MUPROP,
    /**
     * REINFORCE plus η times the local gradient at each sampled mask: {@code Σ_c ∂log p/∂m_c(m)
     * ∇θ p_c}, a first-order estimate of each cell's discrete effect given the rest of the sample
     * (biased, far lower variance; like a straight-through estimator that keeps binary masks in the
     * forward pass).
     */
    LOCAL
  }

  private final Settings settings;
  private final OrtClassifier classifier;
  private final OrtGradients gradients;

  /**
   * @param settings the weights
   * @param classifier scores masked images
   * @param gradients log-softmax input gradients, required by {@code MUPROP} and {@code LOCAL}
   */
  public Reinforce(Settings settings, OrtClassifier classifier, OrtGradients gradients) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    if (settings.estimator() != Estimator.REINFORCE && gradients == null) {
      throw new IllegalArgumentException("the " + settings.estimator() + " estimator needs the classifier's input gradients");
    }
    this.gradients = gradients;
  }

  @Override
  public float threshold() {
    return settings.threshold();
  }

  @Override
  public Outcome loss(Batch batch, NDArray p, SplittableRandom rng, NDManager manager, double progress)
      throws OrtException {
    int b = batch.size();
    int k = settings.samples();
    int hh = batch.height();
    int ww = batch.width();
    int h = (int) p.getShape().get(2);
    int w = (int) p.getShape().get(3);
    int cells = h * w;
    int imageLen = batch.imageLength();
    float[] probs = p.toFloatArray();
    float[] images = batch.images();

    float eta = settings.taylorWeight();
    float[] f0 = new float[b];
    float[] slope = settings.estimator() == Estimator.MUPROP ? taylorSlopes(batch, probs, h, w, f0) : null;

    boolean perSample = settings.perSamplePolicies();
    boolean destroyers = !settings.destroyerBudgets().isEmpty();
    boolean inserters = !settings.inserterBudgets().isEmpty();
    // Per image, the logit thresholds of its destroyer and inserter samples (budgets drawn from the
    // lists; the destroyers' first, so that runs without inserters draw what they drew before).
    float[] thresholds = destroyers ? thresholds(probs, b, cells, settings.destroyerBudgets(), rng) : null;
    float[] insertAt = inserters ? thresholds(probs, b, cells, settings.inserterBudgets(), rng) : null;
    // Per-sample probabilities q_k ([b][k][cells]): p^γ_k for keep samples, the soft superlevel sets
    // for destroyers and inserters; every sample draws from p itself when no option is on.
    float[] q = perSample ? samplePolicies(probs, thresholds, insertAt, b, k, cells) : null;
    float[] masks = perSample ? Masks.sample(q, b * k, 1, cells, rng) : Masks.sample(probs, b, k, cells, rng);
    // One classifier pass scores every sample: a keep sample's kept cells, a destroyer's image with
    // its set removed, an inserter's set on the blurred image.
    float[] scored = destroyers ? complement(masks, k, cells, settings::destroyer) : masks;
    boolean[] blurred = settings.keepSubstrate().blurred(b, rng); // drawn after the masks
    float[] masked = batch.masked(scored, k, h, w,
        (i, s) -> settings.inserter(s) || (blurred[i] && settings.keep(s)));
    int[] maskedTargets = batch.repeatedTargets(k);
    double[] logp;
    float[] local = null;
    if (settings.estimator() == Estimator.LOCAL) {
      OrtGradients.Result r = gradients.run(masked, b * k, maskedTargets);
      logp = new double[b * k];
      local = new float[b * k * cells];
      for (int j = 0; j < b * k; j++) {
        logp[j] = OrtClassifier.logSoftmax(r.logits()[j], maskedTargets[j]);
        cellSlopes(images, (j / k) * imageLen, r.inputGrad(), j * imageLen, hh, ww, h, w, local, j * cells);
      }
    } else {
      logp = classifier.logProbabilities(masked, b * k, maskedTargets);
    }
    float beta = settings.deletionWeight();
    double[] logpDeleted = beta > 0 && !destroyers
        ? classifier.logProbabilities(batch.masked(complement(masks, k, cells, s -> true), k, h, w), b * k,
            maskedTargets)
        : null;
    float[] residual = new float[b * k];
    double rewardSum = 0;
    double logpSum = 0;
    double keepSum = 0;
    int keepCount = 0; // log p and keep are reported over the keep samples
    for (int i = 0; i < b; i++) {
      for (int s = 0; s < k; s++) {
        int j = i * k + s;
        if (settings.destroyer(s)) {
          double destroyed = -beta * Math.exp(DELETION_EXPONENT * logp[j]); // logp of the image without R
          rewardSum += destroyed;
          residual[j] = (float) destroyed;
          continue;
        }
        if (settings.inserter(s)) {
          double inserted = settings.insertionWeight() * Math.exp(INSERTION_EXPONENT * logp[j]); // set on the blur
          rewardSum += inserted;
          residual[j] = (float) inserted;
          continue;
        }
        double area = Masks.area(masks, j * cells, cells);
        double deletion = logpDeleted == null ? 0 : beta * Math.exp(DELETION_EXPONENT * logpDeleted[j]);
        rewardSum += logp[j] - deletion - settings.exponent(s) * settings.lambdaArea() * area
            - settings.lambdaTv() * Masks.totalVariation(masks, j * cells, h, w);
        logpSum += logp[j];
        keepSum += area;
        keepCount++;
        double lin = 0;
        if (slope != null) {
          lin = f0[i];
          for (int c = 0; c < cells; c++) {
            lin += slope[i * cells + c] * (masks[j * cells + c] - (perSample ? q[j * cells + c] : probs[i * cells + c]));
          }
        }
        residual[j] = (float) (logp[j] - deletion - eta * lin);
      }
    }
    float[] advantage = leaveOneOut(residual, b, k, settings.kinds());

    NDArray m = manager.create(masks, new Shape(b, k, cells));
    NDArray flat = p.reshape(b, 1, cells);
    NDArray pc = flat.clip(EPS, 1 - EPS);
    NDArray logP = pc.log();
    NDArray log1mP = pc.neg().add(1).log();
    NDArray gammas = perSample ? manager.create(exponents(k), new Shape(1, k, 1)) : null;
    // 1 for keep samples, 0 for destroyers and inserters ([1,K,1]); null when all are keep samples.
    NDArray keeps = settings.kinds() > 1 ? manager.create(indicator(k, settings::keep), new Shape(1, k, 1)) : null;
    NDArray policy = perSample ? flat.pow(gammas) : flat; // [B,K,cells] or [B,1,cells]
    if (keeps != null) {
      policy = policy.mul(keeps);
    }
    if (destroyers) {
      policy = policy.add(superlevel(logP.sub(log1mP), thresholds, b, manager)
          .mul(manager.create(indicator(k, settings::destroyer), new Shape(1, k, 1))));
    }
    if (inserters) {
      policy = policy.add(superlevel(logP.sub(log1mP), insertAt, b, manager)
          .mul(manager.create(indicator(k, settings::inserter), new Shape(1, k, 1))));
    }
    NDArray qc = perSample ? policy.clip(EPS, 1 - EPS) : pc;
    NDArray logQ = perSample ? qc.log() : logP;
    NDArray log1mQ = perSample ? qc.neg().add(1).log() : log1mP;
    NDArray logPi = m.mul(logQ).add(m.neg().add(1).mul(log1mQ)).sum(new int[] {2}); // [B,K]
    NDArray adv = manager.create(advantage, new Shape(b, k));
    // Score-function estimate of −∇E[reward] (on the residuals of the control variate).
    NDArray loss = adv.mul(logPi).mean().neg();
    // The analytic terms below belong to the keep samples: each is averaged over all B·K samples
    // with the other kinds' entries zeroed, the weight their score-function terms have above.
    NDArray keepPolicy = keeps == null ? policy : policy.mul(keeps);
    if (slope != null) {
      // − η ∇f(m̄)·∇θ E[m]: the analytic part of the control variate (E[m] = q_k per sample).
      NDArray g = manager.create(slope, new Shape(b, 1, cells));
      loss = loss.sub(Scalars.times(g.mul(keepPolicy).sum(new int[] {2}).mean(), eta, manager));
    }
    if (local != null) {
      NDArray g = manager.create(local, new Shape(b, k, cells));
      loss = loss.sub(Scalars.times(g.mul(keepPolicy).sum(new int[] {2}).mean(), eta, manager));
    }
    // The regularisers' expectations are known in closed form, so their gradients are exact: per
    // sample, E[area] = mean(q_k) at weight γ_k·λ_area and E[TV] from q_k (q_k = p without nesting).
    loss = loss.add(Scalars.times((perSample ? keepPolicy.mul(gammas) : policy).mean(), settings.lambdaArea(),
        manager));
    if (settings.lambdaTv() > 0) {
      NDArray tv = expectedTotalVariation(policy.reshape(-1, 1, h, w), manager); // per map
      loss = loss.add(Scalars.times((keeps == null ? tv : tv.reshape(b, k).mul(keeps.reshape(1, k))).mean(),
          settings.lambdaTv(), manager));
    }
    NDArray entropy = pc.mul(logP).add(pc.neg().add(1).mul(log1mP)).neg().mean();
    loss = loss.sub(Scalars.times(entropy, settings.entropyWeight(), manager));
    return new Outcome(loss, rewardSum / (b * k), logpSum / keepCount, keepSum / keepCount);
  }

  /**
   * Per cell, {@code ∂ log p(y | m ⊙ x) / ∂m} at the soft mask m̄ = p; fills {@code f0} with the
   * log-probability at m̄ per image.
   */
  private float[] taylorSlopes(Batch batch, float[] probs, int h, int w, float[] f0) throws OrtException {
    int b = batch.size();
    int hh = batch.height();
    int ww = batch.width();
    int cells = h * w;
    int imageLen = batch.imageLength();
    float[] images = batch.images();
    OrtGradients.Result r = gradients.run(batch.masked(probs, 1, h, w), b, batch.targets());
    float[] slope = new float[b * cells];
    for (int i = 0; i < b; i++) {
      cellSlopes(images, i * imageLen, r.inputGrad(), i * imageLen, hh, ww, h, w, slope, i * cells);
      f0[i] = (float) OrtClassifier.logSoftmax(r.logits()[i], batch.targets()[i]);
    }
    return slope;
  }

  /**
   * E[TV(m)] per map ({@code [N]} for {@code p} of shape {@code [N,1,h,w]}) for m ~ Bernoulli(p): per
   * neighbour pair {@code P(m_a ≠ m_b) = p_a + p_b − 2·p_a·p_b}, averaged over the pairs as {@link
   * Masks#totalVariation} does.
   */
  static NDArray expectedTotalVariation(NDArray p, NDManager manager) {
    long h = p.getShape().get(2);
    long w = p.getShape().get(3);
    NDArray sum = null;
    long pairs = 0;
    if (w > 1) {
      NDArray a = p.get(":, :, :, :-1");
      NDArray c = p.get(":, :, :, 1:");
      sum = a.add(c).sub(Scalars.times(a.mul(c), 2, manager)).sum(new int[] {1, 2, 3});
      pairs += h * (w - 1);
    }
    if (h > 1) {
      NDArray a = p.get(":, :, :-1, :");
      NDArray c = p.get(":, :, 1:, :");
      NDArray v = a.add(c).sub(Scalars.times(a.mul(c), 2, manager)).sum(new int[] {1, 2, 3});
      sum = sum == null ? v : sum.add(v);
      pairs += (h - 1) * w;
    }
    return sum == null ? Scalars.times(p.sum(new int[] {1, 2, 3}), 0, manager) : Scalars.over(sum, pairs, manager);
  }

  /**
   * ∂f/∂m per cell from an input gradient: the masked image is m ⊙ x (m upsampled to pixels), so
   * {@code ∂f/∂m_c = Σ_{pixels of c, channels} x · ∂f/∂x̃}. Adds into {@code out[outOffset..]}.
   */
  static void cellSlopes(float[] images, int imageOffset, float[] grad, int gradOffset, int hh, int ww, int h,
      int w, float[] out, int outOffset) {
    int plane = hh * ww;
    int fy = hh / h;
    int fx = ww / w;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < hh; y++) {
        int row = outOffset + (y / fy) * w;
        int base = c * plane + y * ww;
        for (int x = 0; x < ww; x++) {
          out[row + x / fx] += images[imageOffset + base + x] * grad[gradOffset + base + x];
        }
      }
    }
  }

  /** 1 for the samples among 0..k−1 that {@code which} picks, 0 for the others. */
  private static float[] indicator(int k, java.util.function.IntPredicate which) {
    float[] out = new float[k];
    for (int s = 0; s < k; s++) {
      out[s] = which.test(s) ? 1 : 0;
    }
    return out;
  }

  /** σ((logit p − t_i)/τ) per image ({@code [B,1,cells]}): the soft superlevel set at threshold t_i. */
  private static NDArray superlevel(NDArray logit, float[] thresholds, int b, NDManager manager) {
    NDArray t = manager.create(thresholds, new Shape(b, 1, 1));
    return ai.djl.nn.Activation.sigmoid(Scalars.over(logit.sub(t), DESTROYER_TEMPERATURE, manager));
  }

  /** The exponents of samples 0..k−1. */
  private float[] exponents(int k) {
    float[] out = new float[k];
    for (int s = 0; s < k; s++) {
      out[s] = settings.exponent(s);
    }
    return out;
  }

  /**
   * Per image, the threshold t on logit p of its destroyer (or inserter) samples: one budget f drawn
   * from {@code budgets}, t the logit below which all but a fraction f of the cells lie.
   */
  static float[] thresholds(float[] probs, int b, int cells, List<Float> budgets, SplittableRandom rng) {
    float[] out = new float[b];
    double[] z = new double[cells];
    for (int i = 0; i < b; i++) {
      float f = budgets.get(rng.nextInt(budgets.size()));
      for (int c = 0; c < cells; c++) {
        z[c] = logit(probs[i * cells + c]);
      }
      java.util.Arrays.sort(z);
      int above = Math.max(1, Math.round(f * cells));
      // Midway between the last cell left and the first one removed.
      out[i] = (float) (above >= cells ? z[0] - 1 : 0.5 * (z[cells - above - 1] + z[cells - above]));
    }
    return out;
  }

  /**
   * {@code q[i][s][c]}: {@code probs[i][c]^γ_s} for keep samples, {@code σ((logit p − t_i)/τ)} for
   * destroyers ({@code t} from {@code destroyAt}) and inserters ({@code t} from {@code insertAt}).
   */
  float[] samplePolicies(float[] probs, float[] destroyAt, float[] insertAt, int b, int k, int cells) {
    float[] out = new float[b * k * cells];
    for (int i = 0; i < b; i++) {
      for (int s = 0; s < k; s++) {
        float[] t = settings.destroyer(s) ? destroyAt : settings.inserter(s) ? insertAt : null;
        double g = settings.exponent(s);
        for (int c = 0; c < cells; c++) {
          double v = probs[i * cells + c];
          out[(i * k + s) * cells + c] = (float) (t != null
              ? 1 / (1 + Math.exp(-(logit(v) - t[i]) / DESTROYER_TEMPERATURE)) : Math.pow(v, g));
        }
      }
    }
    return out;
  }

  /** logit of a probability clipped to [EPS, 1 − EPS], as the policy's log-probabilities are. */
  private static double logit(double v) {
    double c = Math.min(1 - EPS, Math.max(EPS, v));
    return Math.log(c) - Math.log(1 - c);
  }

  /**
   * The masks ({@code [b][k][cells]}) with those of the samples {@code which} selects complemented:
   * the cells each sample's image keeps once its mask is removed instead.
   */
  private static float[] complement(float[] masks, int k, int cells, java.util.function.IntPredicate which) {
    float[] out = masks.clone();
    for (int j = 0; j < masks.length / cells; j++) {
      if (which.test(j % k)) {
        for (int c = j * cells; c < (j + 1) * cells; c++) {
          out[c] = 1f - masks[c];
        }
      }
    }
    return out;
  }

  /** {@code x_k − mean of the other K−1 samples of the same image}. */
  static float[] leaveOneOut(float[] x, int b, int k) {
    return leaveOneOut(x, b, k, 1);
  }

  /**
   * {@code x_k − mean of the other samples of the same image in the same group}, the groups being
   * the samples' indices modulo {@code groups} (each with at least 2 samples).
   */
  static float[] leaveOneOut(float[] x, int b, int k, int groups) {
    float[] out = new float[b * k];
    for (int i = 0; i < b; i++) {
      for (int grp = 0; grp < groups; grp++) {
        double total = 0;
        int count = 0;
        for (int s = grp; s < k; s += groups) {
          total += x[i * k + s];
          count++;
        }
        for (int s = grp; s < k; s += groups) {
          int j = i * k + s;
          out[j] = (float) (x[j] - (total - x[j]) / (count - 1));
        }
      }
    }
    return out;
  }
}
