package io.maskserve.server.pipeline;

import ai.onnxruntime.OrtException;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.pipeline.ExplainException.Reason;
import io.maskserve.server.pipeline.ExplanationResult.Prediction;
import io.maskserve.server.pipeline.ExplanationResult.ProbabilityMap;
import io.maskserve.server.pipeline.ExplanationResult.ScoredMask;
import io.maskserve.server.pipeline.ExplanationResult.StageTimings;
import io.maskserve.server.registry.LoadedModel;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.server.sampling.PackedMask;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Explains one image end to end:
 *
 * <ol>
 *   <li>decode and preprocess the image (or check the given tensor);
 *   <li>classifier forward, softmax, top-5, target class (the query's or the top-1);
 *   <li>generator forward (a class-conditional generator also gets each query's target class, so
 *       its map is the target's; an unconditional one gives the same map whatever the target); the
 *       map upsampled (nearest, integer factor) to the input resolution;
 *   <li>deterministic mask ({@code map >= threshold}) and K Bernoulli samples ({@link MaskSampler});
 *   <li>one batched classifier call scoring the deterministic mask and every sample on the masked
 *       image (removed pixels set to 0, the dataset mean in normalised space);
 *   <li>optionally an overlay PNG.
 * </ol>
 *
 * <p>An unconditional generator's map does not depend on the classifier's output, so for such
 * generators the order is generator, masks, then <em>one</em> classifier call whose rows are each
 * original image followed by its masked images: two inference calls per batch instead of three,
 * which is what brings batch-1 latency near the cost of two classifier rows (see BENCHMARKS.md).
 * The per-row results are the same as with separate calls; {@code classifyMicros} is then 0 and
 * {@code scoreMicros} covers both.
 *
 * <p>A generator that reads classifier tensors ({@link LoadedModel#generatorFeatures}) takes them
 * from the classification call on the originals (the classifier session exposes them as extra
 * outputs), so it is classifier, generator, then the scoring call: the generator costs only its
 * decoder.
 *
 * <p>A query that skips scoring ({@link ExplainQuery#skipScoring()}) has no masked rows: with a
 * class-conditional or feature-reading generator it then costs one classifier call fewer.
 *
 * <p>Queries whose method is a baseline (gradient, SmoothGrad, integrated gradients, Grad-CAM,
 * RISE, occlusion, the centre map) go to {@link BaselineExplainer}, one query at a time; generator queries of a
 * batch share their inference calls as above.
 *
 * <p>The deadline is checked between stages. Thread-safe; uses no protocol types, so batch jobs
 * and benchmarks call it directly.
 */
public final class ExplanationPipeline implements BatchExplainer {

  static final int TOP_K = 5;

  /**
   * Most masked images in one scoring call when several queries share it (a single query's masks
   * always share one call, however many).
   */
  static final int MAX_SCORE_ROWS = 256;

  /**
   * Most input floats in one shared scoring call (32 MiB): keeps ImageNet-sized batches, whose
   * activations are large, from growing with the number of queries sharing the call.
   */
  static final int MAX_SCORE_FLOATS = 8 << 20;

  private final ModelRegistry registry;
  private final MaskSampler sampler;
  private final OverlayRenderer overlay;
  private final InputDecoder decoder;
  private final BaselineExplainer baselines;
  private final int maxSamples;

  /** Creates a pipeline resolving models in {@code registry}, within {@code limits}. */
  public ExplanationPipeline(
      ModelRegistry registry, MaskSampler sampler, OverlayRenderer overlay, ServerLimits limits) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.overlay = Objects.requireNonNull(overlay, "overlay");
    this.decoder = new InputDecoder(limits);
    this.baselines = new BaselineExplainer(sampler, overlay, decoder, limits);
    this.maxSamples = limits.maxSamples();
  }

  /**
   * Resolves the query's model in the registry and explains.
   *
   * @throws ExplainException for invalid arguments, exceeded limits or deadlines
   * @throws io.maskserve.zoo.ZooException when the model cannot be resolved
   * @throws io.maskserve.zoo.preprocess.InvalidInputException for a bad image or tensor
   */
  public ExplanationResult explain(ExplainQuery query) {
    query.deadline().ifPresent(d -> d.check("model lookup"));
    try (ModelRegistry.Lease lease = registry.acquire(query.model(), query.version())) {
      return explain(lease.model(), query);
    }
  }

  /** Explains with an already loaded model (the query's model and version are ignored). */
  public ExplanationResult explain(LoadedModel model, ExplainQuery query) {
    return explainBatch(model, List.of(query)).get(0).get();
  }

  /**
   * Explains queries for one model and requested version together: resolves the model once and
   * merges the queries' classifier, generator and scoring passes into shared ONNX Runtime calls.
   * A query's failure (bad image, bad target) fails that query only.
   */
  @Override
  public List<Outcome> explainBatch(String model, String version, List<ExplainQuery> queries) {
    ModelRegistry.Lease lease;
    try {
      lease = registry.acquire(model, version);
    } catch (RuntimeException e) {
      return queries.stream().map(q -> Outcome.failed(e)).toList();
    }
    try (lease) {
      return explainBatch(lease.model(), queries);
    }
  }

  /** One query's state while its batch goes through the stages. */
  private static final class Item {
    final ExplainQuery query;
    RuntimeException error;
    InputDecoder.Decoded input;
    float threshold;
    float[] probs;
    List<Prediction> top;
    int target;
    float[] map;
    /** Classifier tensors a feature-reading generator decodes, by name: this image's slice. */
    java.util.Map<String, OnnxModel.Input> features;
    long seed;
    PackedMask mask;
    List<PackedMask> samples;
    float[] scores;
    byte[] png = new byte[0];
    long decodeMicros;
    long sampleMicros;
    long overlayMicros;

    Item(ExplainQuery query) {
      this.query = query;
    }

    boolean live() {
      return error == null;
    }

    /** Takes the classifier's logits on the original image (at {@code from}): probabilities, top-k, target. */
    void classified(float[] logits, int from, ModelManifest manifest) {
      probs = softmax(logits, from, manifest.numClasses());
      top = topK(probs, manifest.labels(), TOP_K);
      target = query.targetClass().orElse(top.get(0).classIndex());
    }

    void check(String stage) {
      if (error == null && query.deadline().isPresent() && query.deadline().get().expired()) {
        error = new ExplainException(Reason.DEADLINE_EXCEEDED, "deadline exceeded before " + stage);
      }
    }

    /** Masked rows: the deterministic mask and the samples, none when the query skips scoring. */
    int maskRows() {
      return query.skipScoring() ? 0 : 1 + samples.size();
    }

    /** The {@code index}-th mask (0 the deterministic one, then the samples) with its score, if scored. */
    ScoredMask scored(PackedMask m, int index) {
      return query.skipScoring() ? ScoredMask.unscored(m) : new ScoredMask(m, scores[index]);
    }

    /** Rows of the scoring call: the masked rows, after the original image when it is classified there too. */
    int scoreRows(boolean withOriginal) {
      return maskRows() + (withOriginal ? 1 : 0);
    }
  }

  /**
   * Explains {@code queries} with {@code model}: the generator queries sharing inference calls (see
   * the class comment), each baseline query on its own. Outcomes are in the queries' order.
   */
  public List<Outcome> explainBatch(LoadedModel model, List<ExplainQuery> queries) {
    if (queries.stream().allMatch(q -> q.method().isGenerator())) {
      return explainWithGenerator(model, queries);
    }
    List<ExplainQuery> generatorQueries = queries.stream().filter(q -> q.method().isGenerator()).toList();
    java.util.Iterator<Outcome> generated = explainWithGenerator(model, generatorQueries).iterator();
    List<Outcome> outcomes = new ArrayList<>(queries.size());
    for (ExplainQuery q : queries) {
      if (q.method().isGenerator()) {
        outcomes.add(generated.next());
        continue;
      }
      try {
        outcomes.add(Outcome.of(baselines.explain(model, q)));
      } catch (RuntimeException e) {
        outcomes.add(Outcome.failed(e));
      }
    }
    return outcomes;
  }

  /** Explains generator queries with {@code model}, sharing inference calls. */
  private List<Outcome> explainWithGenerator(LoadedModel model, List<ExplainQuery> queries) {
    if (queries.isEmpty()) {
      return List.of();
    }
    long t0 = System.nanoTime();
    ModelManifest manifest = model.manifest();
    InputSpec spec = manifest.input();
    int h = spec.height();
    int w = spec.width();
    int plane = h * w;
    int numClasses = manifest.numClasses();
    List<Item> items = queries.stream().map(Item::new).toList();

    // Decode each image and check the per-query arguments.
    for (Item it : items) {
      long d0 = System.nanoTime();
      try {
        it.check("decoding");
        if (!it.live()) {
          continue;
        }
        int k = it.query.numSamples();
        if (k < 0) {
          throw new ExplainException(Reason.INVALID_ARGUMENT, "num_samples must be >= 0, got " + k);
        }
        if (k > maxSamples) {
          throw new ExplainException(
              Reason.RESOURCE_EXHAUSTED,
              "num_samples " + k + " exceeds this server's limit of " + maxSamples + " (--max-samples)");
        }
        it.threshold = it.query.threshold().orElse(model.defaultThreshold());
        if (!(it.threshold >= 0f && it.threshold <= 1f)) {
          throw new ExplainException(Reason.INVALID_ARGUMENT, "threshold must be in [0,1], got " + it.threshold);
        }
        if (it.query.targetClass().isPresent()) {
          checkTarget(it.query.targetClass().getAsInt(), manifest);
        }
        it.input = decoder.decode(it.query.image(), spec, it.query.includeOverlay());
        it.check("classification");
      } catch (RuntimeException e) {
        it.error = e;
      }
      it.decodeMicros = micros(d0, System.nanoTime());
    }
    long tDecode = System.nanoTime();

    // A class-conditional generator needs each target first, and a feature-reading one the
    // classifier's tensors: classifier on the original images, one call (its tensors exposed as
    // extra outputs). Otherwise the originals are classified in the scoring call below.
    List<String> features = model.generatorFeatures();
    boolean merged = !model.classConditional() && features.isEmpty();
    List<Item> live = live(items);
    if (!merged && !live.isEmpty()) {
      float[] logits = features.isEmpty()
          ? runBatch(model.classifier(), stack(live, 3 * plane), live.size(), h, w, "classifier", live)
          : classifyWithFeatures(model, live, h, w, features);
      if (logits != null && logits.length != live.size() * numClasses) {
        fail(live, new ExplainException(Reason.INTERNAL,
            "classifier returned " + logits.length + " logits for " + live.size() + " x " + numClasses + " labels"));
      } else if (logits != null) {
        for (int b = 0; b < live.size(); b++) {
          live.get(b).classified(logits, b * numClasses, manifest);
          live.get(b).check("generation");
        }
      }
    }
    long tClassify = System.nanoTime();

    // Generator, one call; maps upsampled to the input resolution.
    live = live(items);
    if (!live.isEmpty()) {
      generate(model, live, h, w);
    }
    long tGenerate = System.nanoTime();

    // Deterministic masks and samples, per query.
    for (Item it : live(items)) {
      long s0 = System.nanoTime();
      it.check("sampling");
      if (it.live()) {
        it.seed = it.query.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        it.mask = sampler.threshold(it.map, h, w, it.threshold);
        it.samples = sampler.sample(it.map, h, w, it.query.numSamples(), it.seed);
        it.check("scoring");
      }
      it.sampleMicros = micros(s0, System.nanoTime());
    }
    long tSample = System.nanoTime();

    // Scoring: each query's rows (its original when merged, its masks) all go into one classifier
    // call, shared with other queries up to maxRows rows so that a batch of large inputs does not
    // allocate without bound. A query that skips scoring and was classified already has no rows.
    live = live(items).stream().filter(it -> it.scoreRows(merged) > 0).toList();
    int maxRows = Math.max(1, Math.min(MAX_SCORE_ROWS, MAX_SCORE_FLOATS / (3 * plane)));
    int from = 0;
    while (from < live.size()) {
      int rows = live.get(from).scoreRows(merged);
      int to = from + 1;
      while (to < live.size() && rows + live.get(to).scoreRows(merged) <= maxRows) {
        rows += live.get(to).scoreRows(merged);
        to++;
      }
      score(model.classifier(), live.subList(from, to), rows, h, w, manifest, merged);
      from = to;
    }
    long tScore = System.nanoTime();

    for (Item it : live(items)) {
      if (it.query.includeOverlay()) {
        long o0 = System.nanoTime();
        it.check("overlay");
        if (it.live()) {
          try {
            it.png = overlay.renderPng(it.input.picture(), it.mask);
          } catch (RuntimeException e) {
            it.error = e;
          }
        }
        it.overlayMicros = micros(o0, System.nanoTime());
      }
    }
    long tEnd = System.nanoTime();

    List<Outcome> outcomes = new ArrayList<>(items.size());
    for (Item it : items) {
      if (!it.live()) {
        outcomes.add(Outcome.failed(it.error));
        continue;
      }
      StageTimings timings = new StageTimings(
          it.decodeMicros,
          merged ? 0 : micros(tDecode, tClassify),
          micros(tClassify, tGenerate),
          it.sampleMicros,
          micros(tSample, tScore),
          it.overlayMicros,
          0,
          micros(t0, tEnd));
      List<ScoredMask> scoredSamples = new ArrayList<>(it.samples.size());
      for (int i = 0; i < it.samples.size(); i++) {
        scoredSamples.add(it.scored(it.samples.get(i), i + 1));
      }
      outcomes.add(Outcome.of(new ExplanationResult(
          manifest.name(),
          manifest.version(),
          it.top,
          it.target,
          manifest.labels().get(it.target),
          it.probs[it.target],
          new ProbabilityMap(h, w, it.map),
          it.threshold,
          it.scored(it.mask, 0),
          scoredSamples,
          it.seed,
          it.png,
          timings).withRegion(it.input.region())));
    }
    return outcomes;
  }

  private static List<Item> live(List<Item> items) {
    return items.stream().filter(Item::live).toList();
  }

  private static void fail(List<Item> items, RuntimeException e) {
    for (Item it : items) {
      if (it.live()) {
        it.error = e;
      }
    }
  }

  /** The items' input tensors one after the other: a {@code [n,3,H,W]} batch. */
  private static float[] stack(List<Item> items, int size) {
    float[] batch = new float[items.size() * size];
    for (int b = 0; b < items.size(); b++) {
      System.arraycopy(items.get(b).input.tensor(), 0, batch, b * size, size);
    }
    return batch;
  }

  /** Runs a batch; on failure fails every item and returns null. */
  private static float[] runBatch(
      OnnxModel model, float[] batch, int n, int h, int w, String what, List<Item> items) {
    try {
      return model.run(batch, new long[] {n, 3, h, w}).values();
    } catch (OrtException | RuntimeException e) {
      fail(items, new ExplainException(Reason.INTERNAL, what + " inference failed: " + e.getMessage(), e));
      return null;
    }
  }

  private static long micros(long from, long to) {
    return (to - from) / 1_000;
  }

  /**
   * Runs the generator on the items (with each item's own target when it is class-conditional, so
   * queries merged into one call keep their targets) and upsamples each {@code [1,h',w']} map to
   * {@code h x w}.
   */
  private static void generate(LoadedModel model, List<Item> items, int h, int w) {
    int n = items.size();
    OnnxModel generator = model.generator();
    long[] shape = {n, 3, h, w};
    OnnxModel.Output out;
    try {
      if (model.generatorFeatures().isEmpty()) {
        float[] batch = stack(items, 3 * h * w);
        out = model.classConditional() ? generator.run(batch, shape, targets(items)) : generator.run(batch, shape);
      } else {
        java.util.Map<String, OnnxModel.Input> feed = new java.util.HashMap<>();
        if (model.generatorImageInput().isPresent()) {
          feed.put(model.generatorImageInput().get(), new OnnxModel.Input(stack(items, 3 * h * w), shape));
        }
        for (String f : model.generatorFeatures()) {
          feed.put(f, stackFeature(items, f));
        }
        out = generator.run(feed, model.classConditional() ? targets(items) : null, List.of(generator.outputName()))
            .get(generator.outputName());
      }
    } catch (OrtException | RuntimeException e) {
      fail(items, new ExplainException(Reason.INTERNAL, "generator inference failed: " + e.getMessage(), e));
      return;
    }
    long[] s = out.shape();
    if (s.length != 4 || s[0] != n || s[1] != 1 || s[2] < 1 || s[3] < 1 || h % s[2] != 0 || w % s[3] != 0) {
      fail(items, new ExplainException(
          Reason.INTERNAL,
          "generator output shape " + java.util.Arrays.toString(s) + " is not [N,1,H',W'] dividing " + h + "x" + w));
      return;
    }
    int mh = (int) s[2];
    int mw = (int) s[3];
    float[] all = out.values();
    for (int b = 0; b < n; b++) {
      float[] one = java.util.Arrays.copyOfRange(all, b * mh * mw, (b + 1) * mh * mw);
      items.get(b).map = upsample(one, mh, mw, h, w);
    }
  }

  /**
   * Classifies the items' images in one call of the classifier session, which exposes {@code
   * features} as outputs after the logits; keeps each item's slice of every feature tensor.
   *
   * @return the logits {@code [n,C]}, or null when the call failed (the items are failed)
   */
  private static float[] classifyWithFeatures(LoadedModel model, List<Item> items, int h, int w, List<String> features) {
    OnnxModel classifier = model.featureClassifier();
    int n = items.size();
    List<String> outputs = new ArrayList<>();
    outputs.add(classifier.outputName());
    outputs.addAll(features);
    java.util.Map<String, OnnxModel.Output> out;
    try {
      out = classifier.run(java.util.Map.of(classifier.inputName(),
          new OnnxModel.Input(stack(items, 3 * h * w), new long[] {n, 3, h, w})), null, outputs);
    } catch (OrtException | RuntimeException e) {
      fail(items, new ExplainException(Reason.INTERNAL, "classifier inference failed: " + e.getMessage(), e));
      return null;
    }
    for (Item it : items) {
      it.features = new java.util.HashMap<>();
    }
    for (String f : features) {
      OnnxModel.Output t = out.get(f);
      long[] s = t.shape();
      if (s.length < 1 || s[0] != n || t.values().length % n != 0) {
        fail(items, new ExplainException(Reason.INTERNAL, "classifier tensor '" + f + "' has shape "
            + java.util.Arrays.toString(s) + " for a batch of " + n));
        return null;
      }
      int per = t.values().length / n;
      long[] one = s.clone();
      one[0] = 1;
      for (int b = 0; b < n; b++) {
        items.get(b).features.put(f,
            new OnnxModel.Input(java.util.Arrays.copyOfRange(t.values(), b * per, (b + 1) * per), one));
      }
    }
    return out.get(classifier.outputName()).values();
  }

  /** The items' slices of classifier tensor {@code f} stacked again into one batch. */
  private static OnnxModel.Input stackFeature(List<Item> items, String f) {
    OnnxModel.Input first = items.get(0).features.get(f);
    int per = first.values().length;
    float[] batch = new float[items.size() * per];
    for (int b = 0; b < items.size(); b++) {
      System.arraycopy(items.get(b).features.get(f).values(), 0, batch, b * per, per);
    }
    long[] shape = first.shape().clone();
    shape[0] = items.size();
    return new OnnxModel.Input(batch, shape);
  }

  /** The items' target classes, in order: row b of the generator batch explains items[b].target. */
  private static long[] targets(List<Item> items) {
    long[] targets = new long[items.size()];
    for (int b = 0; b < targets.length; b++) {
      targets[b] = items.get(b).target;
    }
    return targets;
  }

  /**
   * Nearest-neighbour upsampling by the integer factors {@code h/mh}, {@code w/mw}, clamping to
   * [0,1] (NaN becomes 0) so that downstream code can rely on probabilities.
   */
  static float[] upsample(float[] map, int mh, int mw, int h, int w) {
    int fy = h / mh;
    int fx = w / mw;
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      int row = (y / fy) * mw;
      for (int x = 0; x < w; x++) {
        float v = map[row + x / fx];
        out[y * w + x] = v >= 0f ? Math.min(v, 1f) : 0f;
      }
    }
    return out;
  }

  /** Fails with INVALID_ARGUMENT unless {@code target} is one of the model's classes. */
  private static void checkTarget(int target, ModelManifest manifest) {
    if (target < 0 || target >= manifest.numClasses()) {
      throw new ExplainException(
          Reason.INVALID_ARGUMENT,
          "target_class " + target + " is out of range: model " + manifest.key() + " has classes 0.."
              + (manifest.numClasses() - 1));
    }
  }

  /**
   * Scores every mask of {@code items} (deterministic first, then the samples) in one classifier
   * call on the masked images: removed pixels are 0, the dataset mean after normalisation. With
   * {@code withOriginal} each item's original image comes first in its rows and is classified in
   * the same call (its probabilities, top-k and target are set before its masks are scored).
   */
  private static void score(
      OnnxModel classifier, List<Item> items, int rows, int h, int w, ModelManifest manifest, boolean withOriginal) {
    int numClasses = manifest.numClasses();
    int plane = h * w;
    float[] batch = new float[rows * 3 * plane];
    int row = 0;
    for (Item it : items) {
      float[] image = it.input.tensor();
      if (withOriginal) {
        System.arraycopy(image, 0, batch, row * 3 * plane, 3 * plane);
        row++;
      }
      for (int m = 0; m < it.maskRows(); m++, row++) {
        PackedMask mask = m == 0 ? it.mask : it.samples.get(m - 1);
        mask.copyKept(image, batch, row * 3 * plane);
      }
    }
    float[] logits = runBatch(classifier, batch, rows, h, w, "classifier", items);
    if (logits == null) {
      return;
    }
    if (logits.length != rows * numClasses) {
      fail(items, new ExplainException(
          Reason.INTERNAL, "classifier returned " + logits.length + " logits for a batch of " + rows));
      return;
    }
    row = 0;
    for (Item it : items) {
      if (withOriginal) {
        it.classified(logits, row * numClasses, manifest);
        row++;
      }
      it.scores = new float[it.maskRows()];
      for (int m = 0; m < it.maskRows(); m++, row++) {
        it.scores[m] = softmax(logits, row * numClasses, numClasses)[it.target];
      }
    }
  }

  /** Numerically stable softmax of {@code logits[from .. from+n)}. */
  static float[] softmax(float[] logits, int from, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, logits[from + i]);
    }
    double sum = 0;
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      e[i] = Math.exp(logits[from + i] - max);
      sum += e[i];
    }
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = (float) (e[i] / sum);
    }
    return p;
  }

  /** The {@code k} most probable classes, most probable first; ties by lower index. */
  static List<Prediction> topK(float[] probs, List<String> labels, int k) {
    Integer[] idx = new Integer[probs.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (a, b) -> {
      int c = Float.compare(probs[b], probs[a]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    List<Prediction> top = new ArrayList<>();
    for (int i = 0; i < Math.min(k, idx.length); i++) {
      top.add(new Prediction(idx[i], labels.get(idx[i]), probs[idx[i]]));
    }
    return List.copyOf(top);
  }
}
