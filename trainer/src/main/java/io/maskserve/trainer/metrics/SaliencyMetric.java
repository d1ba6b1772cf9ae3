package io.maskserve.trainer.metrics;

import ai.onnxruntime.OrtException;
import io.maskserve.trainer.reinforce.OrtClassifier;
import java.util.Objects;

/**
 * The saliency metric of Dabkowski &amp; Gal (2017, "Real time image saliency for black box
 * classifiers", section 5.2): {@code s(a, p) = log(max(0.05, a)) − log(p)}, lower is better, where
 *
 * <ul>
 *   <li>{@code a} is the area of the tightest axis-aligned box around the mask's kept pixels, as a
 *       fraction of the image (pixels counted inclusively);
 *   <li>{@code p} is the classifier's softmax probability of the class on that box's crop of the
 *       (normalised) image, resized bilinearly back to the input size ({@link CropResize}:
 *       PyTorch's {@code align_corners=False});
 *   <li>an empty mask has no box: {@code a = 0} (so 0.05 after the floor) and {@code p} is the
 *       probability on an image with every pixel removed (0 in normalised space, the dataset mean).
 * </ul>
 *
 * {@code log p} is taken from the log-softmax, so a vanishing probability gives a large finite score.
 */
public final class SaliencyMetric {

  /** Dabkowski &amp; Gal's floor on the area fraction. */
  public static final double MIN_AREA = 0.05;

  /**
   * One image's figures.
   *
   * @param area the box's area fraction {@code a} (before the floor)
   * @param probability the class probability {@code p} on the resized crop
   * @param score {@code log(max(0.05, a)) − log(p)}
   */
  public record Result(double area, double probability, double score) {}

  private final OrtClassifier classifier;
  private final int height;
  private final int width;

  /**
   * @param classifier the classifier judging the crops
   * @param height input height
   * @param width input width
   */
  public SaliencyMetric(OrtClassifier classifier, int height, int width) {
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("bad size");
    }
    this.height = height;
    this.width = width;
  }

  /**
   * The metric for {@code n} images at once.
   *
   * @param images {@code n} normalised images {@code [3,H,W]}, contiguous
   * @param masks per image {@code H·W} flags, true = kept
   * @param targets the class of every image
   */
  public Result[] evaluate(float[] images, boolean[][] masks, int[] targets) throws OrtException {
    int n = masks.length;
    int len = 3 * height * width;
    if (images.length < (long) n * len || targets.length < n) {
      throw new IllegalArgumentException("need " + n + " images and targets");
    }
    float[] crops = new float[n * len];
    double[] areas = new double[n];
    for (int i = 0; i < n; i++) {
      int[] box = tightestBox(masks[i], height, width);
      if (box == null) {
        continue; // nothing kept: the crop stays all zeros (the dataset mean)
      }
      areas[i] = (box[2] - box[0] + 1) * (double) (box[3] - box[1] + 1) / (height * width);
      float[] image = new float[len];
      System.arraycopy(images, i * len, image, 0, len);
      System.arraycopy(CropResize.cropResize(image, 3, height, width, box, height, width), 0, crops, i * len, len);
    }
    double[] lp = classifier.logProbabilities(crops, n, targets);
    Result[] out = new Result[n];
    for (int i = 0; i < n; i++) {
      out[i] = new Result(areas[i], Math.exp(lp[i]), Math.log(Math.max(MIN_AREA, areas[i])) - lp[i]);
    }
    return out;
  }

  /** {@code log(max(0.05, area)) − log(probability)}. */
  public static double score(double area, double probability) {
    return Math.log(Math.max(MIN_AREA, area)) - Math.log(probability);
  }

  /** The tightest box {@code {x0, y0, x1, y1}} (inclusive) around the kept pixels, null when none. */
  public static int[] tightestBox(boolean[] mask, int height, int width) {
    if (mask.length != height * width) {
      throw new IllegalArgumentException("mask must have " + height + "x" + width + " values");
    }
    return LocalisationError.boundingBox(mask, height, width);
  }
}
