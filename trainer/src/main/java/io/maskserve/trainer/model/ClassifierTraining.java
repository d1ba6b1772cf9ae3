package io.maskserve.trainer.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.maskserve.trainer.data.LabelledImages;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trains a {@link ClassifierNet} with DJL (Adam, softmax cross-entropy) on labelled images. */
public final class ClassifierTraining {

  private static final Logger log = LoggerFactory.getLogger(ClassifierTraining.class);

  /**
   * @param epochs passes over the training set
   * @param batchSize images per step
   * @param learningRate Adam learning rate
   * @param seed seed of the initial weights and the shuffling
   */
  public record Config(int epochs, int batchSize, float learningRate, long seed) {
    public Config {
      if (epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException("bad classifier training config");
      }
    }
  }

  /**
   * The outcome of a training run.
   *
   * @param trainAccuracy accuracy on the training set at the end (inference mode)
   * @param testAccuracy accuracy on the held-out set (inference mode)
   * @param imagesPerSecond training throughput (forward + backward + update)
   */
  public record Result(double trainAccuracy, double testAccuracy, double imagesPerSecond) {}

  private ClassifierTraining() {}

  /**
   * Trains {@code model}'s block, a {@link ClassifierNet}, in place.
   *
   * @param model a model whose block is a not-yet-initialised {@link ClassifierNet}
   */
  public static Result train(Model model, LabelledImages train, LabelledImages test, Config config) {
    return train(model, epoch -> train, test, config);
  }

  /**
   * Trains {@code model}'s block with a fresh training set per epoch (synthetic data can be drawn
   * anew, which removes overfitting instead of fighting it).
   *
   * @param trainForEpoch the training set of epoch {@code e} (0-based); all of the same size
   */
  public static Result train(Model model, java.util.function.IntFunction<LabelledImages> trainForEpoch,
      LabelledImages test, Config config) {
    Objects.requireNonNull(model, "model");
    LabelledImages train = trainForEpoch.apply(0);
    Engine engine = Djl.engine();
    engine.setRandomSeed((int) config.seed());
    DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.cosine().setBaseValue(config.learningRate())
            .optFinalValue(config.learningRate() / 50).setMaxUpdates(
                Math.max(1, config.epochs() * (train.size() / config.batchSize()))).build()).build());
    long steps = 0;
    long images = 0;
    long nanos = 0;
    try (Trainer trainer = model.newTrainer(tc)) {
      trainer.initialize(new Shape(config.batchSize(), 3, train.height(), train.width()));
      SplittableRandom rng = new SplittableRandom(config.seed());
      int n = train.size();
      for (int epoch = 0; epoch < config.epochs(); epoch++) {
        if (epoch > 0) {
          train = trainForEpoch.apply(epoch);
        }
        int[] order = shuffled(n, rng);
        double lossSum = 0;
        int batches = 0;
        for (int start = 0; start + config.batchSize() <= n; start += config.batchSize()) {
          int[] idx = java.util.Arrays.copyOfRange(order, start, start + config.batchSize());
          long t0 = System.nanoTime();
          try (NDManager sub = trainer.getManager().newSubManager()) {
            NDArray x = sub.create(train.gather(idx), new Shape(idx.length, 3, train.height(), train.width()));
            int[] ys = new int[idx.length];
            for (int i = 0; i < idx.length; i++) {
              ys[i] = train.labels()[idx[i]];
            }
            NDArray y = sub.create(ys);
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList pred = trainer.forward(new NDList(x));
              NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
              gc.backward(loss);
              lossSum += loss.getFloat();
            }
            trainer.step();
          }
          nanos += System.nanoTime() - t0;
          images += idx.length;
          steps++;
          batches++;
        }
        log.info("classifier epoch {}: loss {}", epoch + 1, lossSum / Math.max(1, batches));
      }
      double trainAcc = accuracy(model, train);
      double testAcc = accuracy(model, test);
      log.info("classifier trained: {} steps, train acc {}, test acc {}", steps, trainAcc, testAcc);
      return new Result(trainAcc, testAcc, images / (nanos / 1e9));
    }
  }

  /** Top-1 accuracy of the model (inference mode, batch statistics from the running averages). */
  public static double accuracy(Model model, LabelledImages data) {
    int correct = 0;
    int batch = 64;
    try (NDManager sub = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(sub, false);
      for (int start = 0; start < data.size(); start += batch) {
        int end = Math.min(data.size(), start + batch);
        int[] idx = new int[end - start];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = start + i;
        }
        try (NDManager m = sub.newSubManager()) {
          NDArray x = m.create(data.gather(idx), new Shape(idx.length, 3, data.height(), data.width()));
          long[] pred = model.getBlock().forward(ps, new NDList(x), false).singletonOrThrow()
              .argMax(1).toLongArray();
          for (int i = 0; i < idx.length; i++) {
            correct += pred[i] == data.labels()[idx[i]] ? 1 : 0;
          }
        }
      }
    }
    return correct / (double) data.size();
  }

  static int[] shuffled(int n, SplittableRandom rng) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
