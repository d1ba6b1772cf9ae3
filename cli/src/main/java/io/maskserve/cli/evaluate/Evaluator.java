package io.maskserve.cli.evaluate;

import ai.onnxruntime.OrtException;
import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.DeletionInsertion;
import io.maskserve.trainer.metrics.EncodingCheck;
import io.maskserve.trainer.metrics.LocalisationError;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ModelInfo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an evaluation: classifies every image locally (the targets), picks the encoding check's
 * partners, then, chunk by chunk, explains the images with every method through the server and
 * scores the responses ({@link ChunkScorer}). Only per-image figures and the gallery's pictures are
 * kept, so memory does not grow with the maps.
 */
final class Evaluator {

  private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);

  /** Images decoded per classification call of the first pass. */
  private static final int CLASSIFY_BATCH = 64;

  /**
   * How to evaluate.
   *
   * @param methods the methods, in report order
   * @param step pixels per deletion/insertion step
   * @param substrate what deletion replaces pixels with
   * @param seed seed of the partners and the bootstrap
   * @param gallery number of images shown in the gallery
   * @param threshold the localisation threshold
   * @param chunk images loaded and explained together (every method) before the next ones are read
   */
  record Settings(List<MethodName> methods, int step, DeletionInsertion.Substrate substrate, long seed, int gallery,
      LocalisationError.Threshold threshold, int chunk) {
    Settings {
      methods = List.copyOf(methods);
    }
  }

  /**
   * What an evaluation found.
   *
   * @param labels every image's label
   * @param top1 every image's top-1
   * @param top1Accuracy the classifier's accuracy on the images, with its interval
   * @param methods per method its report
   * @param gallery the gallery rows
   * @param tolerance the pointing game's tolerance in pixels
   * @param seconds wall time of the run
   * @param comparisons every other method against the reference (the generator when evaluated, else
   *     the first method), image by image; empty with one method
   */
  record Result(int[] labels, int[] top1, Bootstrap.Interval top1Accuracy, List<MethodReport> methods,
      List<Gallery.Row> gallery, double tolerance, double seconds, List<PairedComparison> comparisons) {

    Result {
      comparisons = List.copyOf(comparisons);
    }

    /** A result without paired comparisons. */
    Result(int[] labels, int[] top1, Bootstrap.Interval top1Accuracy, List<MethodReport> methods,
        List<Gallery.Row> gallery, double tolerance, double seconds) {
      this(labels, top1, top1Accuracy, methods, gallery, tolerance, seconds, List.of());
    }
  }

  private final Explainer explainer;
  private final OrtClassifier classifier;
  private final ModelInfo model;
  private final Settings settings;
  private final ImageLoader loader;

  Evaluator(Explainer explainer, OrtClassifier classifier, ModelInfo model, ImageLoader loader, Settings settings) {
    this.explainer = Objects.requireNonNull(explainer, "explainer");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.model = Objects.requireNonNull(model, "model");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  Result run(EvalSet set, Bootstrap bootstrap, ProgressLine progress) throws OrtException {
    long start = System.nanoTime();
    int n = set.size();
    int[] labels = set.items().stream().mapToInt(EvalItem::label).toArray();
    float[] probability = new float[n];
    int[] top1 = classify(set, probability);
    int[] partners = EncodingCheck.partners(top1, labels, top1, settings.seed());
    int h = model.getInputHeight();
    int w = model.getInputWidth();
    ChunkScorer scorer = new ChunkScorer(classifier, h, w, settings.step(), settings.substrate(), settings.threshold());
    Map<MethodName, MethodTally> tallies = new EnumMap<>(MethodName.class);
    settings.methods().forEach(m -> tallies.put(m, new MethodTally(m)));
    Gallery gallery = new Gallery(settings.gallery());
    progress.update(0);
    for (int first = 0; first < n; first += settings.chunk()) {
      Chunk chunk = load(set, first, Math.min(n, first + settings.chunk()), top1, probability, partners, gallery);
      for (MethodName method : settings.methods()) {
        explainAndScore(chunk, method, scorer, tallies.get(method), gallery);
      }
      progress.update(first + chunk.size());
    }
    progress.finish();
    double[] correct = new double[n];
    for (int i = 0; i < n; i++) {
      correct[i] = labels[i] == top1[i] ? 1 : 0;
    }
    List<MethodReport> reports = new ArrayList<>();
    for (MethodName m : settings.methods()) {
      reports.add(tallies.get(m).summarize(bootstrap));
    }
    MethodName reference = settings.methods().contains(MethodName.GENERATOR) ? MethodName.GENERATOR
        : settings.methods().get(0);
    List<PairedComparison> comparisons = new ArrayList<>();
    for (MethodName m : settings.methods()) {
      if (m != reference) {
        comparisons.add(PairedComparison.of(tallies.get(reference), tallies.get(m), bootstrap));
      }
    }
    return new Result(labels, top1, bootstrap.mean(correct), reports, gallery.rows(), scorer.tolerance(),
        (System.nanoTime() - start) / 1e9, comparisons);
  }

  private void explainAndScore(Chunk chunk, MethodName method, ChunkScorer scorer, MethodTally tally, Gallery gallery)
      throws OrtException {
    List<Explainer.Query> queries = new ArrayList<>();
    for (int k = 0; k < chunk.size(); k++) {
      queries.add(new Explainer.Query(chunk.images().get(k).tensor(), chunk.targets()[k]));
    }
    // The true class gets its own explanation only where its map can differ from the top-1's.
    boolean mapDependsOnTarget = method != MethodName.GENERATOR || model.getGenerator().getClassConditional();
    int[] truthResponse = new int[chunk.size()];
    for (int k = 0; k < chunk.size(); k++) {
      int label = chunk.items().get(k).label();
      truthResponse[k] = k;
      if (chunk.images().get(k).hasTruth() && label != chunk.targets()[k] && mapDependsOnTarget) {
        truthResponse[k] = queries.size();
        queries.add(new Explainer.Query(chunk.images().get(k).tensor(), label));
      }
    }
    List<ExplainResponse> responses = explainer.explain(method, queries);
    tally.addRequests(queries.size());
    long failed = responses.stream().filter(ExplainResponse::hasError).count();
    if (failed > 0) {
      LOG.warn("{}: {} of {} requests failed, e.g. {}", method.cliName(), failed, responses.size(),
          responses.stream().filter(ExplainResponse::hasError).findFirst().orElseThrow().getError().getMessage());
    }
    scorer.score(chunk, method, responses, truthResponse, tally, gallery);
  }

  private Chunk load(EvalSet set, int from, int to, int[] top1, float[] probability, int[] partners, Gallery gallery) {
    List<EvalItem> items = set.items().subList(from, to);
    List<LoadedImage> images = new ArrayList<>();
    int len = 3 * model.getInputHeight() * model.getInputWidth();
    float[] partnerImages = new float[items.size() * len];
    boolean[] hasPartner = new boolean[items.size()];
    for (int k = 0; k < items.size(); k++) {
      int i = from + k;
      EvalItem item = items.get(k);
      LoadedImage image = loader.load(item, gallery.wants(i));
      images.add(image);
      if (gallery.wants(i)) {
        gallery.addImage(i, item.name(), label(item.label()),
            String.format(Locale.ROOT, "%s (%.3f)", label(top1[i]), probability[i]), image);
      }
      if (partners[i] >= 0) {
        System.arraycopy(loader.tensor(set.items().get(partners[i])), 0, partnerImages, k * len, len);
        hasPartner[k] = true;
      }
    }
    return new Chunk(from, items, images, java.util.Arrays.copyOfRange(top1, from, to), partnerImages, hasPartner);
  }

  /** The top-1 of every image on the local classifier; fills {@code probability} with its softmax. */
  private int[] classify(EvalSet set, float[] probability) throws OrtException {
    int n = set.size();
    int len = 3 * model.getInputHeight() * model.getInputWidth();
    int[] top1 = new int[n];
    for (int first = 0; first < n; first += CLASSIFY_BATCH) {
      int m = Math.min(CLASSIFY_BATCH, n - first);
      float[] batch = new float[m * len];
      for (int k = 0; k < m; k++) {
        System.arraycopy(loader.tensor(set.items().get(first + k)), 0, batch, k * len, len);
      }
      float[][] logits = classifier.logits(batch, m);
      for (int k = 0; k < m; k++) {
        top1[first + k] = OrtClassifier.topK(logits[k], 1)[0];
        probability[first + k] = (float) Math.exp(OrtClassifier.logSoftmax(logits[k], top1[first + k]));
      }
    }
    return top1;
  }

  private String label(int k) {
    return k >= 0 && k < model.getLabelsCount() ? model.getLabels(k) : Integer.toString(k);
  }
}
