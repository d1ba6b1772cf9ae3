package io.maskserve.trainer.metrics;

import ai.onnxruntime.OrtException;
import io.maskserve.trainer.reinforce.OrtClassifier;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Whether masks <em>encode</em> their class in their shape (a known failure of learned
 * explainers: the mask itself, not the pixels it keeps, makes the classifier see the class). Each
 * image's deterministic mask is applied to a partner image of another class (kept pixels as they
 * are, removed pixels 0 in normalised space, the dataset mean); the check counts how often the
 * classifier's top-1 on that composite is the class the mask explained (ties: the lower class
 * index). A rate near the chance of that class on unrelated images means the mask's shape carries
 * no class; a high rate means it does.
 *
 * <p>Partners ({@link #partners}): for image {@code i} with target {@code t}, a uniformly random
 * image {@code j ≠ i} whose label is not {@code t} and which the classifier does not assign to
 * {@code t} either (so a win cannot come from the partner's own content), drawn from {@code new
 * SplittableRandom(seed + i · 0x9E3779B97F4A7C15)}; none when no image qualifies.
 */
public final class EncodingCheck {

  private final OrtClassifier classifier;
  private final int height;
  private final int width;

  /**
   * @param classifier the classifier judging the composites
   * @param height input height
   * @param width input width
   */
  public EncodingCheck(OrtClassifier classifier, int height, int width) {
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.height = height;
    this.width = width;
  }

  /**
   * The partner of every image, or -1 when none qualifies.
   *
   * @param targets the class each image's mask explains
   * @param labels every image's ground-truth label
   * @param predictions every image's top-1 on the unmasked image
   */
  public static int[] partners(int[] targets, int[] labels, int[] predictions, long seed) {
    int n = targets.length;
    if (labels.length != n || predictions.length != n) {
      throw new IllegalArgumentException("one target, label and prediction per image");
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int t = targets[i];
      int count = 0;
      for (int j = 0; j < n; j++) {
        count += j != i && labels[j] != t && predictions[j] != t ? 1 : 0;
      }
      if (count == 0) {
        out[i] = -1;
        continue;
      }
      int pick = new SplittableRandom(seed + i * 0x9E3779B97F4A7C15L).nextInt(count);
      for (int j = 0; j < n; j++) {
        if (j != i && labels[j] != t && predictions[j] != t && pick-- == 0) {
          out[i] = j;
          break;
        }
      }
    }
    return out;
  }

  /**
   * Whether the target wins on each composite.
   *
   * @param partnerImages {@code n} normalised partner images {@code [3,H,W]}, contiguous
   * @param masks per composite the mask ({@code H·W}, true = kept) of the image it explains
   * @param targets per composite the class that mask explained
   */
  public boolean[] targetWins(float[] partnerImages, boolean[][] masks, int[] targets) throws OrtException {
    int n = masks.length;
    int plane = height * width;
    if (partnerImages.length < (long) n * 3 * plane || targets.length < n) {
      throw new IllegalArgumentException("need " + n + " partner images and targets");
    }
    float[] composite = new float[n * 3 * plane];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        int o = i * 3 * plane + c * plane;
        for (int p = 0; p < plane; p++) {
          composite[o + p] = masks[i][p] ? partnerImages[o + p] : 0f;
        }
      }
    }
    int[] top = classifier.top1(composite, n);
    boolean[] wins = new boolean[n];
    for (int i = 0; i < n; i++) {
      wins[i] = top[i] == targets[i];
    }
    return wins;
  }
}
