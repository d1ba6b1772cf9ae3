package io.maskserve.trainer.metrics;

import ai.onnxruntime.OrtException;
import io.maskserve.trainer.reinforce.OrtClassifier;
import java.util.Arrays;
import java.util.Objects;

/**
 * Deletion and insertion AUC with the semantics of the RISE reference code (Petsiuk et al. 2018,
 * {@code evaluation.py}, {@code CausalMetric}):
 *
 * <ul>
 *   <li>pixels are ranked by saliency, highest first (ties broken by pixel index, a stable sort);
 *   <li>deletion starts from the image and replaces {@code step} pixels per iteration, in rank
 *       order, with the substrate: 0 in normalised space (the dataset mean; RISE's choice, {@link
 *       Substrate#MEAN}, the default) or the blurred image of the insertion metric ({@link
 *       Substrate#BLUR}: deleting every pixel then ends where insertion starts);
 *   <li>insertion starts from the image blurred by a Gaussian (kernel 11, σ = 5, reflected borders
 *       as in {@code scipy}/torchvision {@code gaussian_blur}) and copies {@code step} original
 *       pixels per iteration in rank order;
 *   <li>the score after each iteration (and before the first) is the softmax probability of the
 *       class the classifier predicts on the unmodified image; {@code ⌈HW/step⌉ + 1} scores in all;
 *   <li>AUC = {@code (Σ scores − scores[0]/2 − scores[last]/2) / (n − 1)}, the trapezoid rule over a
 *       [0,1] abscissa, so it lies in [0,1].
 * </ul>
 *
 * Low deletion and high insertion AUC are better.
 */
public final class DeletionInsertion {

  /** Gaussian kernel size of the insertion substrate. */
  public static final int BLUR_KERNEL = 11;
  /** Gaussian σ of the insertion substrate. */
  public static final double BLUR_SIGMA = 5;

  /**
   * The two AUCs of one map.
   *
   * @param deletion area under the deletion curve (lower is better)
   * @param insertion area under the insertion curve (higher is better)
   */
  public record Auc(double deletion, double insertion) {}

  /**
   * The two curves of one map: {@code ⌈HW/step⌉ + 1} probabilities each, the first on the start
   * image (the original for deletion, the blurred one for insertion).
   *
   * @param deletion target probability after each deletion step
   * @param insertion target probability after each insertion step
   */
  public record Curves(double[] deletion, double[] insertion) {
    public Curves {
      deletion = deletion.clone();
      insertion = insertion.clone();
      if (deletion.length != insertion.length || deletion.length < 2) {
        throw new IllegalArgumentException("curves need the same length, at least 2");
      }
    }

    @Override
    public double[] deletion() {
      return deletion.clone();
    }

    @Override
    public double[] insertion() {
      return insertion.clone();
    }

    /** Both areas under the curves (RISE's trapezoid rule). */
    public Auc auc() {
      return new Auc(DeletionInsertion.auc(deletion), DeletionInsertion.auc(insertion));
    }
  }

  /**
   * What deleted pixels become. The mean is RISE's; it adds edges the classifier never saw
   * (scattered grey pixels destroy a non-robust classifier's decision whatever they were), the blur
   * removes the information of a pixel without adding such edges.
   */
  public enum Substrate {
    /** 0 in normalised space, the dataset mean (RISE's reference code). */
    MEAN,
    /** The image blurred as for insertion (Gaussian, kernel 11, σ 5). */
    BLUR
  }

  /** Images classified per ONNX Runtime call, so memory stays bounded at large inputs. */
  private static final int CHUNK = 32;

  private final OrtClassifier classifier;
  private final int height;
  private final int width;
  private final int step;
  private final Substrate substrate;

  /**
   * With RISE's deletion substrate, the mean.
   *
   * @param classifier the classifier whose decisions are explained
   * @param height image height
   * @param width image width
   * @param step pixels changed per iteration (RISE uses the image width)
   */
  public DeletionInsertion(OrtClassifier classifier, int height, int width, int step) {
    this(classifier, height, width, step, Substrate.MEAN);
  }

  /**
   * @param classifier the classifier whose decisions are explained
   * @param height image height
   * @param width image width
   * @param step pixels changed per iteration (RISE uses the image width)
   * @param substrate what deleted pixels become
   */
  public DeletionInsertion(OrtClassifier classifier, int height, int width, int step, Substrate substrate) {
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.substrate = Objects.requireNonNull(substrate, "substrate");
    if (height < 1 || width < 1 || step < 1) {
      throw new IllegalArgumentException("bad size or step");
    }
    this.height = height;
    this.width = width;
    this.step = step;
  }

  /** Number of scores per curve: {@code ⌈HW/step⌉ + 1}. */
  public int points() {
    return (height * width + step - 1) / step + 1;
  }

  /**
   * Both AUCs for one normalised image ({@code [3,H,W]}) and its saliency ({@code H·W}, any
   * scale), for class {@code target}.
   */
  public Auc evaluate(float[] image, float[] saliency, int target) throws OrtException {
    return curves(image, saliency, target).auc();
  }

  /** Both curves for one normalised image ({@code [3,H,W]}) and its saliency, for {@code target}. */
  public Curves curves(float[] image, float[] saliency, int target) throws OrtException {
    int plane = height * width;
    if (image.length != 3 * plane || saliency.length != plane) {
      throw new IllegalArgumentException("image or saliency of the wrong size");
    }
    int[] order = rank(saliency);
    int n = points();
    double[] deletion = new double[n];
    double[] insertion = new double[n];
    float[] del = image.clone();
    float[] blurred = blur(image, height, width);
    float[] ins = blurred.clone();
    int chunk = Math.min(CHUNK, n);
    float[] delBatch = new float[chunk * 3 * plane];
    float[] insBatch = new float[chunk * 3 * plane];
    int[] targets = new int[chunk];
    Arrays.fill(targets, target);
    for (int first = 0; first < n; first += chunk) {
      int m = Math.min(chunk, n - first);
      for (int k = 0; k < m; k++) {
        int s = first + k;
        if (s > 0) {
          for (int r = (s - 1) * step; r < Math.min(plane, s * step); r++) {
            int p = order[r];
            for (int c = 0; c < 3; c++) {
              del[c * plane + p] = substrate == Substrate.BLUR ? blurred[c * plane + p] : 0f;
              ins[c * plane + p] = image[c * plane + p];
            }
          }
        }
        System.arraycopy(del, 0, delBatch, k * 3 * plane, 3 * plane);
        System.arraycopy(ins, 0, insBatch, k * 3 * plane, 3 * plane);
      }
      System.arraycopy(probabilities(delBatch, m, targets), 0, deletion, first, m);
      System.arraycopy(probabilities(insBatch, m, targets), 0, insertion, first, m);
    }
    return new Curves(deletion, insertion);
  }

  private double[] probabilities(float[] images, int n, int[] targets) throws OrtException {
    double[] lp = classifier.logProbabilities(images, n, targets);
    double[] p = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = Math.exp(lp[i]);
    }
    return p;
  }

  /** RISE's {@code auc}: trapezoid rule on a unit abscissa. */
  static double auc(double[] scores) {
    int n = scores.length;
    if (n < 2) {
      throw new IllegalArgumentException("need at least two scores");
    }
    double sum = 0;
    for (double s : scores) {
      sum += s;
    }
    return (sum - scores[0] / 2 - scores[n - 1] / 2) / (n - 1);
  }

  /** Pixel indices by decreasing saliency; equal values keep index order. */
  static int[] rank(float[] saliency) {
    Integer[] idx = new Integer[saliency.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Float.compare(saliency[b], saliency[a]));
    int[] out = new int[idx.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  /**
   * The insertion metric's substrate: a separable Gaussian blur per channel, kernel {@link
   * #BLUR_KERNEL}, σ {@link #BLUR_SIGMA}, reflected borders. Public so that training can remove
   * pixels to the same substrate the metric inserts them into.
   *
   * @param image one image, {@code [3,h,w]} contiguous
   * @param h its height
   * @param w its width
   * @return a new blurred image of the same layout
   */
  public static float[] blur(float[] image, int h, int w) {
    int k = BLUR_KERNEL / 2;
    double[] kernel = new double[BLUR_KERNEL];
    double total = 0;
    for (int i = 0; i < BLUR_KERNEL; i++) {
      kernel[i] = Math.exp(-(i - k) * (i - k) / (2 * BLUR_SIGMA * BLUR_SIGMA));
      total += kernel[i];
    }
    for (int i = 0; i < BLUR_KERNEL; i++) {
      kernel[i] /= total;
    }
    int plane = h * w;
    float[] tmp = new float[image.length];
    float[] out = new float[image.length];
    for (int c = 0; c < 3; c++) {
      int o = c * plane;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double s = 0;
          for (int i = -k; i <= k; i++) {
            s += kernel[i + k] * image[o + y * w + reflect(x + i, w)];
          }
          tmp[o + y * w + x] = (float) s;
        }
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double s = 0;
          for (int i = -k; i <= k; i++) {
            s += kernel[i + k] * tmp[o + reflect(y + i, h) * w + x];
          }
          out[o + y * w + x] = (float) s;
        }
      }
    }
    return out;
  }

  /** Reflection without repeating the edge ({@code dcba|abcd|dcba} → {@code cb|abcd|cb}). */
  static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }
}
