package io.maskserve.trainer.reinforce;

import ai.onnxruntime.OrtException;
import io.maskserve.trainer.data.LabelledImages;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Measures keep-probability maps against known object masks and the classifier.
 *
 * <p>Pointing game (TorchRay's semantics): the point is the centre of the map's most probable cell
 * (the first one in row-major order on ties); it is a hit when an object pixel lies within {@code
 * tolerance} pixels (Euclidean) of it. TorchRay uses 15 px at 224×224, scaled with the resolution:
 * {@link #defaultTolerance}. The uniform baseline is the hit rate of a cell chosen uniformly at
 * random (what the argmax of a constant map with random tie-breaking achieves), exact per image.
 */
public final class Evaluation {

  /**
   * Map quality figures, means over images.
   *
   * @param pointingRate fraction of images whose map argmax hits the object
   * @param uniformPointingRate the same for a uniformly random cell
   * @param meanIou IoU of the deterministic mask (p ≥ threshold, upsampled) with the object
   * @param meanKeep kept fraction of the deterministic mask
   * @param probabilityRatio mean of p(target | deterministic-masked) / p(target | original)
   */
  public record Result(double pointingRate, double uniformPointingRate, double meanIou, double meanKeep,
      double probabilityRatio) {}

  private Evaluation() {}

  /**
   * Evaluates {@code maps} ({@code [n][gridH*gridW]}) on {@code data} (which must have masks).
   *
   * @param targets the explained class of every image
   */
  public static Result evaluate(float[][] maps, int gridH, int gridW, LabelledImages data, int[] targets,
      OrtClassifier classifier, float threshold, double tolerance) throws OrtException {
    Objects.requireNonNull(data.masks(), "data has no object masks");
    int n = data.size();
    int hh = data.height();
    int ww = data.width();
    int fy = hh / gridH;
    int fx = ww / gridW;
    int cells = gridH * gridW;
    double hits = 0;
    double uniform = 0;
    double iouSum = 0;
    double keepSum = 0;
    for (int i = 0; i < n; i++) {
      boolean[] obj = data.masks()[i];
      float[] map = maps[i];
      int best = 0;
      for (int c = 1; c < cells; c++) {
        if (map[c] > map[best]) {
          best = c;
        }
      }
      int touching = 0;
      for (int c = 0; c < cells; c++) {
        if (near(obj, hh, ww, c / gridW, c % gridW, fy, fx, tolerance)) {
          touching++;
          if (c == best) {
            hits++;
          }
        }
      }
      uniform += touching / (double) cells;
      int inter = 0;
      int union = 0;
      int kept = 0;
      for (int y = 0; y < hh; y++) {
        for (int x = 0; x < ww; x++) {
          boolean keep = map[(y / fy) * gridW + x / fx] >= threshold;
          boolean o = obj[y * ww + x];
          inter += keep && o ? 1 : 0;
          union += keep || o ? 1 : 0;
          kept += keep ? 1 : 0;
        }
      }
      iouSum += union == 0 ? 1 : inter / (double) union;
      keepSum += kept / (double) (hh * ww);
    }
    double[] lpMasked = classifier.logProbabilities(thresholdMasked(maps, gridH, gridW, data, threshold), n, targets);
    double[] lpOrig = classifier.logProbabilities(data.pixels(), n, targets);
    double ratio = 0;
    for (int i = 0; i < n; i++) {
      ratio += Math.exp(lpMasked[i] - lpOrig[i]);
    }
    return new Result(hits / n, uniform / n, iouSum / n, keepSum / n, ratio / n);
  }

  /**
   * Fraction of images whose deterministic-masked version ({@code map >= threshold}) the classifier
   * assigns to the explained class: for a class-conditional explanation of a two-object scene,
   * whether the mask made the classifier see the requested class.
   */
  public static double maskedTop1Rate(float[][] maps, int gridH, int gridW, LabelledImages data, int[] targets,
      OrtClassifier classifier, float threshold) throws OrtException {
    int n = data.size();
    int[] top = classifier.top1(thresholdMasked(maps, gridH, gridW, data, threshold), n);
    int wins = 0;
    for (int i = 0; i < n; i++) {
      wins += top[i] == targets[i] ? 1 : 0;
    }
    return n == 0 ? Double.NaN : wins / (double) n;
  }

  /** Every image under its deterministic mask ({@code map >= threshold}, nearest-upsampled). */
  private static float[] thresholdMasked(float[][] maps, int gridH, int gridW, LabelledImages data,
      float threshold) {
    int n = data.size();
    int cells = gridH * gridW;
    int len = data.imageLength();
    float[] det = new float[n * cells];
    float[] masked = new float[n * len];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < cells; c++) {
        det[i * cells + c] = maps[i][c] >= threshold ? 1f : 0f;
      }
      Masks.applyMask(data.pixels(), i * len, data.height(), data.width(), det, i * cells, gridH, gridW, masked,
          i * len);
    }
    return masked;
  }

  /**
   * The mean reward of {@code samples} Bernoulli masks per image drawn from {@code maps} with a
   * fixed seed: the objective's value for the policy, comparable before and after training.
   */
  public static double expectedReward(float[][] maps, int gridH, int gridW, LabelledImages data, int[] targets,
      OrtClassifier classifier, Reinforce.Settings config, int samples, long seed) throws OrtException {
    int n = data.size();
    int cells = gridH * gridW;
    float[] flat = new float[n * cells];
    for (int i = 0; i < n; i++) {
      System.arraycopy(maps[i], 0, flat, i * cells, cells);
    }
    float[] masks = Masks.sample(flat, n, samples, cells, new SplittableRandom(seed));
    Objective.Batch batch = new Objective.Batch(data.pixels(), n, data.height(), data.width(), targets);
    float[] masked = batch.masked(masks, samples, gridH, gridW);
    int[] ts = batch.repeatedTargets(samples);
    double[] lp = classifier.logProbabilities(masked, n * samples, ts);
    double sum = 0;
    for (int j = 0; j < n * samples; j++) {
      sum += lp[j] - config.lambdaArea() * Masks.area(masks, j * cells, cells)
          - config.lambdaTv() * Masks.totalVariation(masks, j * cells, gridH, gridW);
    }
    return sum / (n * samples);
  }

  /** TorchRay's tolerance of 15 px at 224 px, scaled to an image side of {@code side} pixels. */
  public static double defaultTolerance(int side) {
    return 15.0 * side / 224;
  }

  /**
   * One pointing-game trial: whether the centre of the most probable cell of {@code map} ({@code
   * gridH×gridW}, row-major) lies within {@code tolerance} pixels of an object pixel of {@code
   * object} ({@code height×width}).
   */
  public static boolean pointingHit(float[] map, int gridH, int gridW, boolean[] object, int height, int width,
      double tolerance) {
    int best = 0;
    for (int c = 1; c < gridH * gridW; c++) {
      if (map[c] > map[best]) {
        best = c;
      }
    }
    return near(object, height, width, best / gridW, best % gridW, height / gridH, width / gridW, tolerance);
  }

  /** Whether an object pixel lies within {@code tol} of the centre of cell (cy, cx) of size fy×fx. */
  private static boolean near(boolean[] obj, int hh, int ww, int cy, int cx, int fy, int fx, double tol) {
    double py = cy * fy + (fy - 1) / 2.0;
    double px = cx * fx + (fx - 1) / 2.0;
    int r = (int) Math.ceil(tol);
    for (int y = Math.max(0, (int) Math.floor(py - r)); y <= Math.min(hh - 1, (int) Math.ceil(py + r)); y++) {
      for (int x = Math.max(0, (int) Math.floor(px - r)); x <= Math.min(ww - 1, (int) Math.ceil(px + r)); x++) {
        if (obj[y * ww + x] && (y - py) * (y - py) + (x - px) * (x - px) <= tol * tol) {
          return true;
        }
      }
    }
    return false;
  }
}
