package io.maskserve.trainer.reinforce;

import ai.onnxruntime.OrtException;
import io.maskserve.trainer.data.LabelledImages;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Measures keep-probability maps against known object masks and the classifier.
 *
 * <p>Pointing game: the map's most probable cell is a hit when that cell, grown by {@code
 * tolerance} pixels on every side, touches an object pixel. The uniform baseline is the hit rate of
 * a cell chosen uniformly at random (what the argmax of a constant map with random tie-breaking
 * achieves), computed exactly per image.
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
      OrtClassifier classifier, float threshold, int tolerance) throws OrtException {
    Objects.requireNonNull(data.masks(), "data has no object masks");
    int n = data.size();
    int hh = data.height();
    int ww = data.width();
    int fy = hh / gridH;
    int fx = ww / gridW;
    int cells = gridH * gridW;
    int imageLen = data.imageLength();
    double hits = 0;
    double uniform = 0;
    double iouSum = 0;
    double keepSum = 0;
    float[] det = new float[n * cells];
    float[] masked = new float[n * imageLen];
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
        if (touches(obj, hh, ww, (c / gridW) * fy, (c % gridW) * fx, fy, fx, tolerance)) {
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
      for (int c = 0; c < cells; c++) {
        det[i * cells + c] = map[c] >= threshold ? 1f : 0f;
      }
      Masks.applyMask(data.pixels(), i * imageLen, hh, ww, det, i * cells, gridH, gridW, masked, i * imageLen);
    }
    double[] lpMasked = classifier.logProbabilities(masked, n, targets);
    double[] lpOrig = classifier.logProbabilities(data.pixels(), n, targets);
    double ratio = 0;
    for (int i = 0; i < n; i++) {
      ratio += Math.exp(lpMasked[i] - lpOrig[i]);
    }
    return new Result(hits / n, uniform / n, iouSum / n, keepSum / n, ratio / n);
  }

  /**
   * The mean reward of {@code samples} Bernoulli masks per image drawn from {@code maps} with a
   * fixed seed: the objective's value for the policy, comparable before and after training.
   */
  public static double expectedReward(float[][] maps, int gridH, int gridW, LabelledImages data, int[] targets,
      OrtClassifier classifier, TrainerConfig config, int samples, long seed) throws OrtException {
    int n = data.size();
    int cells = gridH * gridW;
    int imageLen = data.imageLength();
    SplittableRandom rng = new SplittableRandom(seed);
    float[] masks = new float[n * samples * cells];
    float[] masked = new float[n * samples * imageLen];
    int[] ts = new int[n * samples];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < samples; s++) {
        int j = i * samples + s;
        for (int c = 0; c < cells; c++) {
          masks[j * cells + c] = rng.nextDouble() < maps[i][c] ? 1f : 0f;
        }
        Masks.applyMask(data.pixels(), i * imageLen, data.height(), data.width(), masks, j * cells, gridH, gridW,
            masked, j * imageLen);
        ts[j] = targets[i];
      }
    }
    double[] lp = classifier.logProbabilities(masked, n * samples, ts);
    double sum = 0;
    for (int j = 0; j < n * samples; j++) {
      sum += lp[j] - config.lambdaArea() * Masks.area(masks, j * cells, cells)
          - config.lambdaTv() * Masks.totalVariation(masks, j * cells, gridH, gridW);
    }
    return sum / (n * samples);
  }

  private static boolean touches(boolean[] obj, int hh, int ww, int y0, int x0, int fy, int fx, int tol) {
    int ya = Math.max(0, y0 - tol);
    int yb = Math.min(hh - 1, y0 + fy - 1 + tol);
    int xa = Math.max(0, x0 - tol);
    int xb = Math.min(ww - 1, x0 + fx - 1 + tol);
    for (int y = ya; y <= yb; y++) {
      for (int x = xa; x <= xb; x++) {
        if (obj[y * ww + x]) {
          return true;
        }
      }
    }
    return false;
  }
}
