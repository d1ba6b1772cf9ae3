package io.maskserve.trainer.reinforce;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.onnxruntime.OrtException;
import io.maskserve.trainer.data.ImageSource;
import io.maskserve.trainer.data.HorizontalFlips;
import io.maskserve.trainer.data.Prefetcher;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.model.DecoderConfig;
import io.maskserve.trainer.model.FeatureDecoderNet;
import io.maskserve.trainer.model.GeneratorNet;
import io.maskserve.trainer.model.MaskGenerator;
import io.maskserve.trainer.model.Tap;
import io.maskserve.trainer.optim.Adam;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link MaskGenerator} (the image U-Net, or a {@link FeatureDecoderNet} of classifier
 * tensors) against a frozen ONNX classifier with an {@link Objective}.
 *
 * <p>Per step: a batch of images with their targets (the classifier's top-1 on the unmasked
 * image, or for a class-conditional generator one of its top k, see {@link
 * TrainerConfig#targetTopK}), the generator's keep probabilities, the objective's loss (masks are
 * sampled and scored outside DJL, in ONNX Runtime), back-propagation through the generator only,
 * one {@link Adam} step.
 *
 * <p><b>Reproducibility and resume.</b> Nothing random is carried from step to step: the batch
 * order of epoch e is a shuffle seeded by (seed, e) and the mask samples of step s come from a
 * stream seeded by (seed, s) (the top-k target draws from another stream of (seed, s)). The
 * complete state of a run is therefore the step number, the generator's parameters and Adam's
 * moments ({@link #saveState}/{@link #loadState}), and a resumed run takes exactly the steps the
 * uninterrupted run would have taken.
 *
 * <p><b>Logit bound</b> ({@link TrainerConfig#logitBound}). The objectives clip keep probabilities
 * to [10⁻⁴, 1 − 10⁻⁴] for their log-probabilities, and a sigmoid's gradient vanishes beyond that, so
 * a cell once saturated gets no gradient from any term: measured on the ILSVRC feature decoder, a
 * sixth of the map's cells sat above 1 − 10⁻⁴, more than the top 5–10% that destroyer samples and
 * the pointing game read, so their order was whatever the network drifted to. With the bound on,
 * every logit pays {@code (|z| − bound)²} beyond ±bound (mean over the cells, weight 1): the map
 * keeps its order where the rewards can still move it.
 *
 * <p>Not thread-safe. Closing releases the DJL model; the classifier and objective belong to the
 * caller.
 */
public final class Trainer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Trainer.class);
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final int STATE_MAGIC = 0x4d535452; // "MSTR"
  private static final int STATE_FORMAT = 1;
  /** Separates the target draws from the mask samples of the same step. */
  private static final long TARGET_STREAM = 0x7A5E7C1A55L;
  /** Separates the flip draws from the mask samples and targets of the same step. */
  private static final long FLIP_STREAM = 0x3F11BF11B5L;

  private final TrainerConfig config;
  private final Objective objective;
  private final ImageSource data;
  private final OrtClassifier classifier;
  private final Prefetcher prefetcher;
  private final Model model;
  private final MaskGenerator net;
  private final Adam adam;
  private int step;
  private int[] order;
  private long orderEpoch = -1;

  /**
   * @param config the run's settings
   * @param objective the loss (owns its own reference to the classifier)
   * @param classifier the frozen classifier, used here for the targets (not closed by this trainer)
   * @param data the training images (normalised as the classifier expects)
   */
  public Trainer(TrainerConfig config, Objective objective, OrtClassifier classifier, ImageSource data)
      throws OrtException {
    this.config = Objects.requireNonNull(config, "config");
    this.objective = Objects.requireNonNull(objective, "objective");
    this.data = Objects.requireNonNull(data, "data");
    if (data.size() == 0) {
      throw new IllegalArgumentException("no training images");
    }
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    DecoderConfig decoder = config.decoder();
    if (decoder == null) {
      int div = 1 << config.generator().depth();
      if (data.height() % div != 0 || data.width() % div != 0) {
        throw new IllegalArgumentException("image size " + data.height() + "x" + data.width()
            + " must be divisible by 2^depth = " + div);
      }
    } else if (!classifier.taps().equals(decoder.tensors())) {
      throw new IllegalArgumentException("the decoder reads " + decoder.tensors() + " but the classifier exposes "
          + classifier.taps());
    }
    Djl.engine().setRandomSeed((int) config.seed());
    this.model = Model.newInstance("generator", "PyTorch");
    if (decoder == null) {
      GeneratorNet g = new GeneratorNet(config.generator());
      model.setBlock(g);
      g.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, data.height(), data.width()));
      this.net = g;
    } else {
      FeatureDecoderNet d = new FeatureDecoderNet(decoder);
      model.setBlock(d);
      d.initialize(model.getNDManager(), 1);
      this.net = d;
    }
    setInitialKeep(config.initialKeep());
    this.adam = new Adam(net.getParameters().stream().toList(), config.learningRate());
    adam.attachGradients();
    this.prefetcher = new Prefetcher(data);
  }

  private void setInitialKeep(float keep) {
    NDArray bias = net.head().getParameters().get("bias").getArray();
    float logit = (float) Math.log(keep / (1 - keep));
    float[] values = new float[(int) bias.size()];
    java.util.Arrays.fill(values, logit);
    bias.set(FloatBuffer.wrap(values));
  }

  /** The generator being trained. */
  public MaskGenerator generator() {
    return net;
  }

  /** The DJL model holding the generator's parameters. */
  public Model model() {
    return model;
  }

  /** The objective. */
  public Objective objective() {
    return objective;
  }

  /** Steps taken so far (including those before a resume). */
  public int stepsDone() {
    return step;
  }

  /** Runs the remaining steps up to {@code config.steps()}, reporting each to {@code listener}. */
  public List<StepStats> train(Consumer<StepStats> listener) throws OrtException {
    List<StepStats> all = new ArrayList<>();
    while (step < config.steps()) {
      StepStats s = step();
      all.add(s);
      if (listener != null) {
        listener.accept(s);
      }
    }
    return all;
  }

  /** One optimiser step. */
  public StepStats step() throws OrtException {
    long t0 = System.nanoTime();
    int b = config.batchSize();
    int[] idx = batchIndices(step, b);
    float[] images = prefetcher.take(idx, step + 1 < config.steps() ? batchIndices(step + 1, b) : null);
    boolean[] mirrored = null;
    if (config.horizontalFlips()) {
      SplittableRandom flips = new SplittableRandom(mix(config.seed() * GOLDEN + step) ^ FLIP_STREAM);
      mirrored = HorizontalFlips.draw(flips, b);
      HorizontalFlips.apply(images, 3, data.height(), data.width(), mirrored);
    }
    // A feature decoder's inputs come from the same classifier pass that picks the targets.
    OrtClassifier.Features features = config.decoder() != null ? classifier.features(images, b) : null;
    int[] ys = targets(features != null ? features.logits() : classifier.logits(images, b), b);
    Objective.Batch batch = new Objective.Batch(images, b, data.height(), data.width(), ys, idx, mirrored);
    SplittableRandom rng = new SplittableRandom(mix(config.seed() * GOLDEN + step));
    double progress = config.steps() == 0 ? 1 : step / (double) config.steps();
    Objective.Outcome outcome;
    float lossValue;
    try (NDManager sub = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(sub, false);
      NDList in;
      if (features != null) {
        in = tapArrays(sub, features, b);
      } else {
        in = new NDList(sub.create(batch.images(), new Shape(b, 3, data.height(), data.width())));
        if (config.generator().conditional()) {
          in.add(sub.create(ys));
        }
      }
      try (GradientCollector gc = Djl.engine().newGradientCollector()) {
        NDArray z = net.logits(ps, in, true);
        outcome = objective.loss(batch, net.probabilities(z), rng, sub, progress);
        NDArray loss = outcome.loss();
        if (config.logitBound() > 0) {
          loss = loss.add(z.abs().sub(config.logitBound()).maximum(0f).square().mean());
        }
        gc.backward(loss);
        lossValue = loss.getFloat();
      }
      adam.update(config.lrScale(step));
    }
    step++;
    double seconds = (System.nanoTime() - t0) / 1e9;
    StepStats stats = new StepStats(step, outcome.reward(), outcome.logProb(), outcome.keep(), lossValue,
        b / seconds);
    log.debug("step {}", stats);
    return stats;
  }

  /**
   * The classes explained in this step: the classifier's top-1 on the unmasked images, or with
   * {@code targetTopK > 1} one of its top k, drawn with weights {@code p^(1/T)} renormalised over
   * those k (from a stream seeded by (seed, step)). Weighting by the probabilities keeps an image
   * with one clear object mostly on its top-1 and splits a two-object image between its two
   * classes; uniform draws spent half of the single-object images on classes that are not there,
   * for which the best mask is an empty one (a measured run collapsed to empty masks), while T = 1
   * trained the second object of two-object scenes too rarely (see BENCHMARKS.md).
   */
  private int[] targets(float[][] logits, int b) {
    int k = config.targetTopK();
    if (config.generator().conditional() && logits[0].length > config.generator().classes()) {
      throw new IllegalStateException("the classifier has " + logits[0].length + " classes but the generator embeds"
          + " only " + config.generator().classes());
    }
    if (k == 1) {
      int[] ys = new int[b];
      for (int i = 0; i < b; i++) {
        ys[i] = OrtClassifier.topK(logits[i], 1)[0];
      }
      return ys;
    }
    SplittableRandom rng = new SplittableRandom(mix(config.seed() * GOLDEN + step) ^ TARGET_STREAM);
    int[] ys = new int[b];
    for (int i = 0; i < b; i++) {
      int[] top = OrtClassifier.topK(logits[i], k);
      double[] weight = new double[top.length];
      double total = 0;
      for (int r = 0; r < top.length; r++) {
        weight[r] = Math.exp((logits[i][top[r]] - logits[i][top[0]]) / config.targetTemperature());
        total += weight[r];
      }
      double u = rng.nextDouble() * total;
      int pick = 0;
      while (pick < top.length - 1 && (u -= weight[pick]) >= 0) {
        pick++;
      }
      ys[i] = top[pick];
    }
    return ys;
  }

  /**
   * The images of step {@code s}: positions {@code s·b .. s·b+b−1} of the concatenated epoch
   * orders, each epoch a permutation seeded by (seed, epoch).
   */
  private int[] batchIndices(int s, int b) {
    int n = data.size();
    int[] idx = new int[b];
    long start = (long) s * b;
    for (int i = 0; i < b; i++) {
      long pos = start + i;
      long epoch = pos / n;
      if (epoch != orderEpoch) {
        order = permutation(n, new SplittableRandom(mix(config.seed() * GOLDEN - 1 - epoch)));
        orderEpoch = epoch;
      }
      idx[i] = order[(int) (pos % n)];
    }
    return idx;
  }

  private static int[] permutation(int n, SplittableRandom rng) {
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

  /** SplitMix64's finaliser: neighbouring inputs give unrelated seeds. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Writes the resumable state: step, generator parameters (batch-norm statistics included), Adam. */
  public void saveState(DataOutputStream out) throws IOException {
    out.writeInt(STATE_MAGIC);
    out.writeInt(STATE_FORMAT);
    out.writeUTF(architecture());
    out.writeInt(step);
    net.saveParameters(out);
    adam.save(out);
  }

  private String architecture() {
    return net.architecture() + " input=" + data.height() + "x" + data.width();
  }

  /** The tapped tensors of {@code n} images as the decoder's inputs, in its taps' order. */
  private NDList tapArrays(NDManager manager, OrtClassifier.Features features, int n) {
    NDList in = new NDList();
    for (Tap t : config.decoder().taps()) {
      in.add(manager.create(features.tensors().get(t.tensor()), new Shape(n, t.channels(), t.height(), t.width())));
    }
    return in;
  }

  /** Restores what {@link #saveState} wrote; the architecture must be the same. */
  public void loadState(DataInputStream in) throws IOException, MalformedModelException {
    if (in.readInt() != STATE_MAGIC || in.readInt() != STATE_FORMAT) {
      throw new MalformedModelException("not a maskserve trainer state (format " + STATE_FORMAT + ")");
    }
    String arch = in.readUTF();
    if (!arch.equals(architecture())) {
      throw new MalformedModelException("the checkpoint is of another generator (" + arch + ") than this run's ("
          + architecture() + ")");
    }
    int saved = in.readInt();
    if (saved < 0) {
      throw new MalformedModelException("corrupt trainer state: step " + saved);
    }
    net.loadParameters(model.getNDManager(), in);
    for (Pair<String, Parameter> p : net.getParameters()) {
      if (p.getValue().requiresGradient()) {
        p.getValue().getArray().setRequiresGradient(true);
      }
    }
    adam.load(in);
    step = saved;
  }

  /**
   * Keep probabilities of {@code n} images (inference mode: batch norm uses running statistics),
   * row-major {@code [n][h*w]}; the grid side is {@code config.generator().outputSide(size)}.
   */
  public float[][] keepProbabilities(float[] images, int n) {
    return keepProbabilities(images, null, n);
  }

  /** As {@link #keepProbabilities(float[], int)}, explaining {@code targets} (conditional generators). */
  public float[][] keepProbabilities(float[] images, int[] targets, int n) {
    if (net instanceof GeneratorNet g) {
      return Generators.keepProbabilities(model, g, images, targets, n, data.height(), data.width());
    }
    int len = 3 * data.height() * data.width();
    return Generators.keepProbabilities(model, net, n, (manager, start, m) -> {
      float[] chunk = java.util.Arrays.copyOfRange(images, start * len, (start + m) * len);
      try {
        return tapArrays(manager, classifier.features(chunk, m), m);
      } catch (OrtException e) {
        throw new IllegalStateException("classifier failed: " + e.getMessage(), e);
      }
    });
  }

  @Override
  public void close() {
    prefetcher.close();
    model.close();
  }
}
