package io.maskserve.server.pipeline;

import io.maskserve.server.attribution.AttributionException;
import io.maskserve.server.attribution.AttributionRunner;
import io.maskserve.server.attribution.Baseline;
import io.maskserve.server.attribution.BaselineMethods;
import io.maskserve.server.attribution.SaliencyMethod;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.pipeline.ExplainException.Reason;
import io.maskserve.server.pipeline.ExplanationResult.Prediction;
import io.maskserve.server.pipeline.ExplanationResult.SaliencyMap;
import io.maskserve.server.pipeline.ExplanationResult.ScoredMask;
import io.maskserve.server.pipeline.ExplanationResult.StageTimings;
import io.maskserve.server.registry.LoadedModel;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.server.sampling.PackedMask;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelManifest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Explains one query with a baseline attribution method ({@link io.maskserve.server.attribution}):
 *
 * <ol>
 *   <li>argument checks (no Bernoulli samples, keep fraction in [0,1]) and the method's options,
 *       before any inference;
 *   <li>decode, classifier on the original image, top-5, target (as for the generator);
 *   <li>the method's saliency map, its rows batched into few ONNX Runtime calls by an {@link
 *       AttributionRunner} that checks the deadline between batches;
 *   <li>the deterministic mask keeping the top {@code keep_fraction} of pixels by saliency, scored by
 *       the classifier exactly as the generator's mask is (removed pixels 0, the dataset mean);
 *   <li>optionally the overlay.
 * </ol>
 *
 * <p>A baseline query runs alone: its own inference is batched, and merging it with others would
 * make them wait for its thousands of rows. Thread-safe.
 */
final class BaselineExplainer {

  private static final Logger log = LoggerFactory.getLogger(BaselineExplainer.class);

  private final MaskSampler sampler;
  private final OverlayRenderer overlay;
  private final InputDecoder decoder;
  private final BaselineMethods methods;

  BaselineExplainer(MaskSampler sampler, OverlayRenderer overlay, InputDecoder decoder, ServerLimits limits) {
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.overlay = Objects.requireNonNull(overlay, "overlay");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.methods = new BaselineMethods(limits);
  }

  /**
   * Explains {@code query} (whose method is a baseline) with {@code model}.
   *
   * @throws ExplainException INVALID_ARGUMENT, RESOURCE_EXHAUSTED, FAILED_PRECONDITION (e.g. no
   *     convolution for Grad-CAM), DEADLINE_EXCEEDED or INTERNAL
   * @throws io.maskserve.zoo.ZooException FAILED_PRECONDITION when the classifier cannot be
   *     differentiated (the message names the op and the node)
   * @throws io.maskserve.zoo.preprocess.InvalidInputException for a bad image or tensor
   */
  ExplanationResult explain(LoadedModel model, ExplainQuery query) {
    Baseline baseline = query.method().baseline()
        .orElseThrow(() -> new IllegalArgumentException("not a baseline query: " + query.method()));
    long t0 = System.nanoTime();
    ModelManifest manifest = model.manifest();
    InputSpec spec = manifest.input();
    int h = spec.height();
    int w = spec.width();
    int plane = h * w;
    Deadline deadline = query.deadline().orElse(null);
    AttributionRunner.Checkpoint checkpoint = stage -> {
      if (deadline != null) {
        deadline.check(stage);
      }
    };

    checkpoint.check("decoding");
    if (query.numSamples() != 0) {
      throw new ExplainException(Reason.INVALID_ARGUMENT, "num_samples must be 0 for method " + query.method()
          + ": samples are Bernoulli masks of the generator's keep probabilities; got " + query.numSamples());
    }
    float keepFraction = query.keepFraction().orElse(ExplainQuery.DEFAULT_KEEP_FRACTION);
    if (!(keepFraction >= 0f && keepFraction <= 1f)) {
      throw new ExplainException(Reason.INVALID_ARGUMENT, "keep_fraction must be in [0,1], got " + keepFraction);
    }
    long seed = query.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    SaliencyMethod method = translated(() -> methods.create(baseline, query.methodOptions(), h, w, seed));

    InputDecoder.Decoded input = decoder.decode(query.image(), spec, query.includeOverlay());
    long tDecode = System.nanoTime();

    checkpoint.check("classification");
    AttributionRunner runner = new AttributionRunner(
        model.classifier(), model.gradients().orElse(null), h, w, checkpoint);
    float[] image = input.tensor();
    float[] logits = translated(() -> runner.logits(image, 1));
    int numClasses = manifest.numClasses();
    if (logits.length != numClasses) {
      throw new ExplainException(Reason.INTERNAL,
          "classifier returned " + logits.length + " logits for " + numClasses + " labels");
    }
    float[] probs = ExplanationPipeline.softmax(logits, 0, numClasses);
    List<Prediction> top = ExplanationPipeline.topK(probs, manifest.labels(), ExplanationPipeline.TOP_K);
    int target = query.targetClass().orElse(top.get(0).classIndex());
    if (target < 0 || target >= numClasses) {
      throw new ExplainException(Reason.INVALID_ARGUMENT, "target_class " + target
          + " is out of range: model " + manifest.key() + " has classes 0.." + (numClasses - 1));
    }
    long tClassify = System.nanoTime();

    float[] saliency = translated(() -> method.saliency(runner, image, target));
    long tMethod = System.nanoTime();

    checkpoint.check("choosing the mask");
    PackedMask mask = sampler.top(saliency, h, w, keepFraction);
    long tMask = System.nanoTime();

    float score = Float.NaN;
    if (!query.skipScoring()) {
      checkpoint.check("scoring");
      float[] masked = new float[3 * plane];
      mask.copyKept(image, masked, 0);
      float[] maskedLogits = translated(() -> runner.logits(masked, 1));
      score = ExplanationPipeline.softmax(maskedLogits, 0, numClasses)[target];
    }
    long tScore = System.nanoTime();

    byte[] png = new byte[0];
    if (query.includeOverlay()) {
      checkpoint.check("overlay");
      png = overlay.renderPng(input.picture(), mask);
    }
    long tEnd = System.nanoTime();
    log.debug("explained with {} model={} target={} millis={}", query.method(), manifest.key(), target,
        (tEnd - t0) / 1_000_000);

    StageTimings timings = new StageTimings(
        micros(t0, tDecode), micros(tDecode, tClassify), micros(tClassify, tMethod), micros(tMethod, tMask),
        micros(tMask, tScore), micros(tScore, tEnd), 0, micros(t0, tEnd));
    return new ExplanationResult(
        manifest.name(),
        manifest.version(),
        top,
        target,
        manifest.labels().get(target),
        probs[target],
        null,
        0f,
        query.skipScoring() ? ScoredMask.unscored(mask) : new ScoredMask(mask, score),
        List.of(),
        seed,
        png,
        timings,
        query.method(),
        new SaliencyMap(h, w, saliency),
        input.region());
  }

  /** Runs {@code body}, turning the attribution package's failures into the pipeline's. */
  private static <T> T translated(java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (AttributionException e) {
      Reason reason = switch (e.reason()) {
        case INVALID_ARGUMENT -> Reason.INVALID_ARGUMENT;
        case RESOURCE_EXHAUSTED -> Reason.RESOURCE_EXHAUSTED;
        case FAILED_PRECONDITION -> Reason.FAILED_PRECONDITION;
        case INTERNAL -> Reason.INTERNAL;
      };
      throw new ExplainException(reason, e.getMessage(), e);
    }
  }

  private static long micros(long from, long to) {
    return (to - from) / 1_000;
  }
}
