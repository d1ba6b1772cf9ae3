package io.maskserve.trainer.reinforce;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.onnxruntime.OrtException;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.model.GeneratorNet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link GeneratorNet} with the {@code reinforce} objective.
 *
 * <p>Per step, for a batch of images x with targets y (the classifier's top-1 on x): the generator
 * gives keep probabilities p; K binary masks m_k ~ Bernoulli(p) are drawn per image (in Java, from
 * the seeded stream: reproducible); all B·K masked images (removed cells = 0 in normalised space)
 * go through the frozen ONNX classifier in one call; each mask gets the reward {@code r_k = log
 * p(y | m_k ⊙ x) − λ_area·area(m_k) − λ_tv·TV(m_k)}; the baseline of sample k is the mean reward of
 * the other K−1 samples of the same image (leave-one-out: unbiased, and it needs no value network);
 * the loss {@code −mean((r_k − b_k)·log π(m_k|x))/cells − β·H(p)} is back-propagated through the
 * generator only (the classifier is outside DJL) and Adam takes a step.
 *
 * <p>Not thread-safe. Closing releases the DJL model; the ONNX classifier belongs to the caller.
 */
public final class Trainer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Trainer.class);
  /** Probabilities are clipped this far from 0 and 1 so log π stays finite. */
  private static final float EPS = 1e-4f;

  private final TrainerConfig config;
  private final OrtClassifier classifier;
  private final LabelledImages data;
  private final int[] targets;
  private final Model model;
  private final GeneratorNet net;
  private final ai.djl.training.Trainer djl;
  private final SplittableRandom rng;
  private int[] order;
  private int cursor;
  private int step;

  /**
   * @param config the run's settings
   * @param classifier the frozen classifier (not closed by this trainer)
   * @param data the training images (normalised as the classifier expects)
   */
  public Trainer(TrainerConfig config, OrtClassifier classifier, LabelledImages data) throws OrtException {
    this.config = Objects.requireNonNull(config, "config");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.data = Objects.requireNonNull(data, "data");
    int div = 1 << config.generator().depth();
    if (data.height() % div != 0 || data.width() % div != 0) {
      throw new IllegalArgumentException("image size " + data.height() + "x" + data.width()
          + " must be divisible by 2^depth = " + div);
    }
    // The explained class is what the classifier predicts on the unmasked image.
    this.targets = classifier.top1(data.pixels(), data.size());
    Djl.engine().setRandomSeed((int) config.seed());
    this.model = Model.newInstance("generator", "PyTorch");
    this.net = new GeneratorNet(config.generator());
    model.setBlock(net);
    DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l2Loss()) // unused: the loss is built by hand
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(config.learningRate())).build());
    this.djl = model.newTrainer(tc);
    djl.initialize(new Shape(config.batchSize(), 3, data.height(), data.width()));
    this.rng = new SplittableRandom(config.seed());
  }

  /** The generator being trained. */
  public GeneratorNet generator() {
    return net;
  }

  /** The DJL model holding the generator's parameters. */
  public Model model() {
    return model;
  }

  /** The target class of every training image (the classifier's top-1). */
  public int[] targets() {
    return targets.clone();
  }

  /** Runs {@code config.steps()} steps, reporting each to {@code listener}. */
  public List<StepStats> train(Consumer<StepStats> listener) throws OrtException {
    List<StepStats> all = new ArrayList<>();
    for (int i = 0; i < config.steps(); i++) {
      StepStats s = step();
      all.add(s);
      if (listener != null) {
        listener.accept(s);
      }
    }
    return all;
  }

  /** One policy-gradient step. */
  public StepStats step() throws OrtException {
    long t0 = System.nanoTime();
    int b = Math.min(config.batchSize(), data.size());
    int k = config.samples();
    int[] idx = nextBatch(b);
    int[] ys = new int[b];
    for (int i = 0; i < b; i++) {
      ys[i] = targets[idx[i]];
    }
    float[] images = data.gather(idx);
    int hh = data.height();
    int ww = data.width();
    int imageLen = 3 * hh * ww;
    double lossValue;
    double rewardSum = 0;
    double logpSum = 0;
    double keepSum = 0;
    try (NDManager sub = djl.getManager().newSubManager()) {
      NDArray x = sub.create(images, new Shape(b, 3, hh, ww));
      try (GradientCollector gc = djl.newGradientCollector()) {
        NDArray p = djl.forward(new NDList(x)).singletonOrThrow();
        int h = (int) p.getShape().get(2);
        int w = (int) p.getShape().get(3);
        int cells = h * w;
        float[] probs = p.toFloatArray();
        float[] masks = new float[b * k * cells];
        for (int i = 0; i < b; i++) {
          for (int s = 0; s < k; s++) {
            int off = (i * k + s) * cells;
            for (int c = 0; c < cells; c++) {
              masks[off + c] = rng.nextDouble() < probs[i * cells + c] ? 1f : 0f;
            }
          }
        }
        float[] masked = new float[b * k * imageLen];
        int[] maskedTargets = new int[b * k];
        for (int i = 0; i < b; i++) {
          for (int s = 0; s < k; s++) {
            int j = i * k + s;
            Masks.applyMask(images, i * imageLen, hh, ww, masks, j * cells, h, w, masked, j * imageLen);
            maskedTargets[j] = ys[i];
          }
        }
        double[] logp = classifier.logProbabilities(masked, b * k, maskedTargets);
        float[] reward = new float[b * k];
        for (int j = 0; j < b * k; j++) {
          double area = Masks.area(masks, j * cells, cells);
          double tv = Masks.totalVariation(masks, j * cells, h, w);
          reward[j] = (float) (logp[j] - config.lambdaArea() * area - config.lambdaTv() * tv);
          rewardSum += reward[j];
          logpSum += logp[j];
          keepSum += area;
        }
        float[] advantage = new float[b * k];
        for (int i = 0; i < b; i++) {
          double total = 0;
          for (int s = 0; s < k; s++) {
            total += reward[i * k + s];
          }
          for (int s = 0; s < k; s++) {
            int j = i * k + s;
            advantage[j] = (float) (reward[j] - (total - reward[j]) / (k - 1));
          }
        }
        NDArray m = sub.create(masks, new Shape(b, k, cells));
        NDArray pc = p.reshape(b, 1, cells).clip(EPS, 1 - EPS);
        NDArray logP = pc.log();
        NDArray log1mP = pc.neg().add(1).log();
        NDArray logPi = m.mul(logP).add(m.neg().add(1).mul(log1mP)).sum(new int[] {2}); // [B,K]
        NDArray adv = sub.create(advantage, new Shape(b, k));
        NDArray policyLoss = adv.mul(logPi).mean().neg().div(cells);
        NDArray entropy = pc.mul(logP).add(pc.neg().add(1).mul(log1mP)).neg().mean();
        NDArray loss = policyLoss.sub(entropy.mul(config.entropyWeight()));
        gc.backward(loss);
        lossValue = loss.getFloat();
      }
      djl.step();
    }
    step++;
    double seconds = (System.nanoTime() - t0) / 1e9;
    StepStats stats = new StepStats(step, rewardSum / (b * k), logpSum / (b * k), keepSum / (b * k), lossValue,
        b / seconds);
    log.debug("step {}", stats);
    return stats;
  }

  private int[] nextBatch(int b) {
    int[] idx = new int[b];
    for (int i = 0; i < b; i++) {
      if (order == null || cursor >= order.length) {
        order = shuffle(data.size());
        cursor = 0;
      }
      idx[i] = order[cursor++];
    }
    return idx;
  }

  private int[] shuffle(int n) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) {
      o[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }

  /**
   * Keep probabilities of {@code n} images (inference mode: batch norm uses running statistics),
   * row-major {@code [n][h*w]}; the grid side is {@code config.generator().outputSide(size)}.
   */
  public float[][] keepProbabilities(float[] images, int n) {
    return Generators.keepProbabilities(model, net, images, n, data.height(), data.width());
  }

  @Override
  public void close() {
    djl.close();
    model.close();
  }
}
