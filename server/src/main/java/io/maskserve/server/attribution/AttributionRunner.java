package io.maskserve.server.attribution;

import ai.onnxruntime.OrtException;
import io.maskserve.server.attribution.AttributionException.Reason;
import io.maskserve.server.registry.GradientModels;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.autodiff.ConvLayerFinder;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs the ONNX Runtime calls of one query's attribution: the classifier on batches of perturbed
 * images, and the gradient models on batches of inputs. A method asks for the rows it needs batch
 * by batch ({@link #inBatches}), so a query's thousands of rows (RISE masks, SmoothGrad copies)
 * become a few large calls, memory stays bounded by one batch, and the deadline is checked before
 * every batch. One runner per query; not thread-safe (methods use it from one thread).
 */
public final class AttributionRunner {

  /**
   * Most input floats in one call (32 MiB), as in the generator's scoring: large inputs get fewer
   * rows per call so that a batch's activations stay bounded.
   */
  public static final int MAX_BATCH_FLOATS = 8 << 20;

  /** Rows per gradient call when a method does not say: a backward pass holds more activations. */
  public static final int DEFAULT_GRADIENT_BATCH = 32;

  /** Rows per classifier call for occlusion windows. */
  public static final int DEFAULT_SCORE_BATCH = 128;

  /**
   * Checks whether the query may go on; throws (e.g. DEADLINE_EXCEEDED) to stop it. The runner lets
   * what it throws through unchanged.
   */
  @FunctionalInterface
  public interface Checkpoint {
    /** Throws to stop; {@code stage} says what was about to run. */
    void check(String stage);
  }

  /** Runs one batch: rows {@code [from, to)} of the method's rows. */
  @FunctionalInterface
  public interface BatchBody {
    void run(int from, int to);
  }

  /**
   * A layer's activations and their gradients for one image.
   *
   * @param channels K
   * @param height the layer's h
   * @param width the layer's w
   * @param activations {@code A [K,h,w]}
   * @param gradients {@code d logit[target] / d A [K,h,w]}
   */
  public record LayerGradients(int channels, int height, int width, float[] activations, float[] gradients) {}

  private final OnnxModel classifier;
  private final GradientModels gradients;
  private final int height;
  private final int width;
  private final Checkpoint checkpoint;

  /**
   * @param classifier the classifier (image {@code [n,3,H,W]} to logits {@code [n,C]})
   * @param gradients its gradient models; null when the model has none (gradient methods then fail
   *     with FAILED_PRECONDITION)
   * @param height the input height H
   * @param width the input width W
   * @param checkpoint checked before every batch
   */
  public AttributionRunner(
      OnnxModel classifier, GradientModels gradients, int height, int width, Checkpoint checkpoint) {
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.gradients = gradients;
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
    }
    this.height = height;
    this.width = width;
    this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
  }

  /** Input height H. */
  public int height() {
    return height;
  }

  /** Input width W. */
  public int width() {
    return width;
  }

  /** {@code H*W}. */
  public int plane() {
    return height * width;
  }

  /** Floats of one image, {@code 3*H*W}. */
  public int imageSize() {
    return 3 * height * width;
  }

  /** Rows per call for a method wanting {@code requested}: capped by {@link #MAX_BATCH_FLOATS}, at least 1. */
  public int rowsPerCall(int requested) {
    return Math.max(1, Math.min(requested, MAX_BATCH_FLOATS / imageSize()));
  }

  /** Checks the checkpoint (the deadline) before {@code stage}. */
  public void check(String stage) {
    checkpoint.check(stage);
  }

  /**
   * Runs {@code body} over rows {@code [0, count)} in consecutive batches of {@code batch} rows,
   * checking the checkpoint before each batch.
   */
  public void inBatches(int count, int batch, String stage, BatchBody body) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    for (int from = 0; from < count; from += batch) {
      int to = Math.min(count, from + batch);
      checkpoint.check(stage + " (rows " + from + ".." + (to - 1) + " of " + count + ")");
      body.run(from, to);
    }
  }

  /** The classifier's logits for {@code n} images {@code [n,3,H,W]}: {@code [n,C]} row-major. */
  public float[] logits(float[] images, int n) {
    requireRows(images, n);
    float[] logits;
    try {
      logits = classifier.run(images, shape(n)).values();
    } catch (OrtException | RuntimeException e) {
      throw new AttributionException(Reason.INTERNAL, "classifier inference failed: " + e.getMessage(), e);
    }
    if (logits.length == 0 || logits.length % n != 0) {
      throw new AttributionException(Reason.INTERNAL, "classifier returned " + logits.length + " logits for " + n + " rows");
    }
    return logits;
  }

  /** The classifier's softmax probability of {@code target} for each of {@code n} images. */
  public float[] probabilities(float[] images, int n, int target) {
    float[] logits = logits(images, n);
    int classes = logits.length / n;
    checkTarget(target, classes);
    float[] p = new float[n];
    for (int r = 0; r < n; r++) {
      p[r] = softmaxAt(logits, r * classes, classes, target);
    }
    return p;
  }

  /**
   * {@code d logit[target] / d image} for {@code n} images {@code [n,3,H,W]}, one gradient-model
   * call: {@code [n,3,H,W]}.
   */
  public float[] inputGradients(float[] images, int n, int target) {
    requireRows(images, n);
    OnnxModel model = gradientModels().inputGradient();
    float[] g;
    try {
      g = model.run(images, shape(n), targets(n, target), Set.of(Autodiff.INPUT_GRAD)).get(Autodiff.INPUT_GRAD).values();
    } catch (OrtException | RuntimeException e) {
      throw new AttributionException(Reason.INTERNAL, "gradient inference failed: " + e.getMessage(), e);
    }
    if (g.length != n * imageSize()) {
      throw new AttributionException(Reason.INTERNAL,
          "the gradient model returned " + g.length + " values for " + n + " images of " + imageSize());
    }
    return g;
  }

  /** The classifier's feature maps (for choosing and checking Grad-CAM layers). */
  public ConvLayerFinder layers() {
    return gradientModels().layers();
  }

  /**
   * The activations of {@code layer} and their gradients for one image.
   *
   * @param layer a 4-D feature map of the classifier (see {@link #layers()})
   */
  public LayerGradients layerGradients(float[] image, int target, String layer) {
    requireRows(image, 1);
    String gradName = layer + Autodiff.GRAD_SUFFIX;
    Map<String, OnnxModel.Output> out;
    try (GradientModels.LayerModel lm = gradientModels().layerGradient(layer)) {
      out = lm.model().run(image, shape(1), new long[] {target}, Set.of(layer, gradName));
    } catch (OrtException | IllegalArgumentException | IllegalStateException e) {
      throw new AttributionException(Reason.INTERNAL, "gradient inference failed: " + e.getMessage(), e);
    }
    OnnxModel.Output a = out.get(layer);
    OnnxModel.Output g = out.get(gradName);
    long[] s = a.shape();
    if (s.length != 4 || s[0] != 1 || !Arrays.equals(s, g.shape())) {
      throw new AttributionException(Reason.INTERNAL, "layer '" + layer + "' has shape " + Arrays.toString(s)
          + " and its gradient " + Arrays.toString(g.shape()) + "; expected equal [1,K,h,w]");
    }
    return new LayerGradients((int) s[1], (int) s[2], (int) s[3], a.values(), g.values());
  }

  private GradientModels gradientModels() {
    if (gradients == null) {
      throw new AttributionException(Reason.FAILED_PRECONDITION,
          "this model was loaded without gradient models; gradient methods are unavailable");
    }
    return gradients;
  }

  private long[] shape(int n) {
    return new long[] {n, 3, height, width};
  }

  private void requireRows(float[] images, int n) {
    if (n < 1 || images.length != (long) n * imageSize()) {
      throw new IllegalArgumentException("need " + n + " images of " + imageSize() + " floats, got " + images.length);
    }
  }

  private static long[] targets(int n, int target) {
    long[] t = new long[n];
    Arrays.fill(t, target);
    return t;
  }

  private static void checkTarget(int target, int classes) {
    if (target < 0 || target >= classes) {
      throw new AttributionException(Reason.INVALID_ARGUMENT,
          "target class " + target + " is out of range 0.." + (classes - 1));
    }
  }

  /** Numerically stable softmax of {@code logits[from .. from+n)} at {@code k}. */
  static float softmaxAt(float[] logits, int from, int n, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, logits[from + i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(logits[from + i] - max);
    }
    return (float) (Math.exp(logits[from + k] - max) / sum);
  }
}
