package io.maskserve.cli.evaluate;

import ai.onnxruntime.OrtException;
import io.maskserve.client.Masks;
import io.maskserve.client.SaliencyMaps;
import io.maskserve.trainer.metrics.DeletionInsertion;
import io.maskserve.trainer.metrics.EncodingCheck;
import io.maskserve.trainer.metrics.LocalisationError;
import io.maskserve.trainer.metrics.PointingGame;
import io.maskserve.trainer.metrics.SaliencyMetric;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.v1.ExplainResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one method's responses for a chunk into per-image figures with the metrics of {@code
 * io.maskserve.trainer.metrics}, run on the local classifier:
 *
 * <ul>
 *   <li>faithfulness (deletion, insertion, mask figures, saliency metric, encoding check) on the
 *       explanation of the top-1 class, the class the classifier decided on;
 *   <li>agreement with the ground truth (pointing game, localisation) on the explanation of the
 *       true class, as TorchRay and CASME do; for a generator that is not class-conditional the
 *       map is the same for every class, so the top-1's serves.
 * </ul>
 *
 * Localisation thresholds maps in [0,1]: the generator's keep probabilities as they are, the
 * baselines' maps min-max normalised per image.
 */
final class ChunkScorer {

  private final int height;
  private final int width;
  private final DeletionInsertion deletionInsertion;
  private final SaliencyMetric saliencyMetric;
  private final EncodingCheck encodingCheck;
  private final LocalisationError.Threshold threshold;
  private final double tolerance;

  ChunkScorer(OrtClassifier classifier, int height, int width, int step, DeletionInsertion.Substrate substrate,
      LocalisationError.Threshold threshold) {
    this.height = height;
    this.width = width;
    this.deletionInsertion = new DeletionInsertion(classifier, height, width, step, substrate);
    this.saliencyMetric = new SaliencyMetric(classifier, height, width);
    this.encodingCheck = new EncodingCheck(classifier, height, width);
    this.threshold = threshold;
    this.tolerance = PointingGame.tolerance(height, width);
  }

  /** The pointing game's tolerance in pixels at this input size. */
  double tolerance() {
    return tolerance;
  }

  /**
   * Scores one method's responses.
   *
   * @param responses the responses, the first {@code chunk.size()} for the top-1 targets in image
   *     order, then the extra true-class ones
   * @param truthResponse per image the index of the response explaining its true class
   */
  void score(Chunk chunk, MethodName method, List<ExplainResponse> responses, int[] truthResponse, MethodTally tally,
      Gallery gallery) throws OrtException {
    int n = chunk.size();
    int len = 3 * height * width;
    List<Integer> ok = new ArrayList<>();
    List<boolean[]> masks = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      ExplainResponse r = responses.get(k);
      if (r.hasError()) {
        tally.addFailure(r.getError().getMessage());
        continue;
      }
      float[] map = flatten(SaliencyMaps.toFloatArray(r));
      boolean[] mask = flatten(Masks.unpack(r.getMask()));
      LoadedImage image = chunk.images().get(k);
      int target = chunk.targets()[k];
      DeletionInsertion.Curves curves = deletionInsertion.curves(image.tensor(), map, target);
      tally.addCurves(curves.deletion(), curves.insertion());
      tally.add(Metric.DELETION_AUC, chunk.first() + k, curves.auc().deletion());
      tally.add(Metric.INSERTION_AUC, chunk.first() + k, curves.auc().insertion());
      tally.add(Metric.KEEP_FRACTION, r.getMask().getKeepFraction());
      tally.add(Metric.MASK_PROBABILITY, r.getMask().getTargetProbability());
      if (r.getTargetOriginalProbability() > 0) {
        tally.add(Metric.PROBABILITY_RATIO, r.getMask().getTargetProbability() / (double) r.getTargetOriginalProbability());
      }
      tally.add(Metric.METHOD_MILLIS, r.getTiming().getGenerateMicros() / 1000.0);
      ok.add(k);
      masks.add(mask);
      if (image.hasTruth()) {
        scoreTruth(chunk, k, method, responses.get(truthResponse[k]), tally);
      }
      if (gallery.wants(chunk.first() + k)) {
        gallery.addMethod(chunk.first() + k, method, map, mask);
      }
    }
    batchMetrics(chunk, ok, masks, len, tally);
  }

  private void scoreTruth(Chunk chunk, int k, MethodName method, ExplainResponse r, MethodTally tally) {
    if (r.hasError()) {
      tally.addFailure(r.getError().getMessage());
      return;
    }
    LoadedImage image = chunk.images().get(k);
    int label = chunk.items().get(k).label();
    float[] map = flatten(SaliencyMaps.toFloatArray(r));
    tally.addPointing(chunk.first() + k, label, PointingGame.hit(map, image.truth(), height, width, tolerance));
    float[] unit = method == MethodName.GENERATOR ? clamp(map) : minMax(map);
    boolean localised = LocalisationError.evaluate(unit, height, width, image.boxes(), threshold).localised();
    tally.add(Metric.LOCALISATION_ERROR, chunk.first() + k, localised ? 0 : 1);
    tally.add(Metric.TOP1_LOCALISATION_ERROR, localised && chunk.targets()[k] == label ? 0 : 1);
  }

  /** The saliency metric and the encoding check, one classifier call each for the chunk. */
  private void batchMetrics(Chunk chunk, List<Integer> ok, List<boolean[]> masks, int len, MethodTally tally)
      throws OrtException {
    if (ok.isEmpty()) {
      return;
    }
    int m = ok.size();
    float[] images = new float[m * len];
    int[] targets = new int[m];
    List<Integer> withPartner = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      int k = ok.get(i);
      System.arraycopy(chunk.images().get(k).tensor(), 0, images, i * len, len);
      targets[i] = chunk.targets()[k];
      if (chunk.hasPartner()[k]) {
        withPartner.add(i);
      }
    }
    for (SaliencyMetric.Result r : saliencyMetric.evaluate(images, masks.toArray(new boolean[0][]), targets)) {
      tally.add(Metric.SALIENCY_METRIC, r.score());
    }
    if (withPartner.isEmpty()) {
      return;
    }
    float[] partners = new float[withPartner.size() * len];
    boolean[][] partnerMasks = new boolean[withPartner.size()][];
    int[] partnerTargets = new int[withPartner.size()];
    for (int j = 0; j < withPartner.size(); j++) {
      int i = withPartner.get(j);
      System.arraycopy(chunk.partners(), ok.get(i) * len, partners, j * len, len);
      partnerMasks[j] = masks.get(i);
      partnerTargets[j] = targets[i];
    }
    for (boolean win : encodingCheck.targetWins(partners, partnerMasks, partnerTargets)) {
      tally.add(Metric.ENCODING_RATE, win ? 1 : 0);
    }
  }

  /** {@code map} rescaled linearly to [0,1] (a constant map becomes zeros; NaN becomes 0). */
  static float[] minMax(float[] map) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : map) {
      if (!Float.isNaN(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    float range = max - min;
    float[] out = new float[map.length];
    for (int i = 0; i < map.length; i++) {
      out[i] = Float.isNaN(map[i]) || !(range > 0f) ? 0f : Math.min(1f, (map[i] - min) / range);
    }
    return out;
  }

  private static float[] clamp(float[] map) {
    float[] out = new float[map.length];
    for (int i = 0; i < map.length; i++) {
      out[i] = Float.isNaN(map[i]) ? 0f : Math.max(0f, Math.min(1f, map[i]));
    }
    return out;
  }

  static float[] flatten(float[][] m) {
    int w = m[0].length;
    float[] out = new float[m.length * w];
    for (int y = 0; y < m.length; y++) {
      System.arraycopy(m[y], 0, out, y * w, w);
    }
    return out;
  }

  private static boolean[] flatten(boolean[][] m) {
    int w = m[0].length;
    boolean[] out = new boolean[m.length * w];
    for (int y = 0; y < m.length; y++) {
      System.arraycopy(m[y], 0, out, y * w, w);
    }
    return out;
  }
}
