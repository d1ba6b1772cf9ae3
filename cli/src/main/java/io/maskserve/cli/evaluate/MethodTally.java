package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.PointingGame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One method's per-image values as they are computed. Not thread-safe. */
final class MethodTally {

  private final MethodName method;
  private final Map<Metric, List<Double>> values = new EnumMap<>(Metric.class);
  /**
   * Per paired metric, image index → value, for image-by-image comparisons; the pointing game's
   * only record (1 hit, 0 miss), its class in {@link #pointingClassByImage}.
   */
  private final Map<Metric, Map<Integer, Double>> byImage = new EnumMap<>(Metric.class);
  private final Map<Integer, Integer> pointingClassByImage = new TreeMap<>();
  private double[] deletionSum;
  private double[] insertionSum;
  private int curves;
  private int requests;
  private int failures;
  private String firstFailure;

  MethodTally(MethodName method) {
    this.method = method;
  }

  void add(Metric metric, double value) {
    if (Double.isFinite(value)) {
      values.computeIfAbsent(metric, k -> new ArrayList<>()).add(value);
    }
  }

  /** A value of image {@code image} (its index in the evaluation), also kept for paired comparisons. */
  void add(Metric metric, int image, double value) {
    if (Double.isFinite(value)) {
      add(metric, value);
      byImage.computeIfAbsent(metric, k -> new TreeMap<>()).put(image, value);
    }
  }

  void addPointing(int image, int classIndex, boolean hit) {
    byImage.computeIfAbsent(Metric.POINTING_ACCURACY, k -> new TreeMap<>()).put(image, hit ? 1.0 : 0.0);
    pointingClassByImage.put(image, classIndex);
  }

  /** The method. */
  MethodName method() {
    return method;
  }

  /** Image index → value of {@code metric} (pointing: 1 hit, 0 miss), in image order; empty if none. */
  Map<Integer, Double> byImage(Metric metric) {
    return Collections.unmodifiableMap(byImage.getOrDefault(metric, Map.of()));
  }

  /** The true class of each image the pointing game scored. */
  int pointingClass(int image) {
    return pointingClassByImage.get(image);
  }

  void addCurves(double[] deletion, double[] insertion) {
    if (deletionSum == null) {
      deletionSum = new double[deletion.length];
      insertionSum = new double[insertion.length];
    }
    for (int i = 0; i < deletion.length; i++) {
      deletionSum[i] += deletion[i];
      insertionSum[i] += insertion[i];
    }
    curves++;
  }

  void addRequests(int n) {
    requests += n;
  }

  void addFailure(String message) {
    failures++;
    if (firstFailure == null) {
      firstFailure = message;
    }
  }

  /** The summary: every figure's mean (class-averaged for the pointing game) with its interval. */
  MethodReport summarize(Bootstrap bootstrap) {
    Map<Metric, Bootstrap.Interval> figures = new EnumMap<>(Metric.class);
    for (Map.Entry<Metric, List<Double>> e : values.entrySet()) {
      figures.put(e.getKey(), bootstrap.mean(e.getValue().stream().mapToDouble(Double::doubleValue).toArray()));
    }
    Map<Integer, Double> pointing = byImage(Metric.POINTING_ACCURACY);
    if (!pointing.isEmpty()) {
      // In image order, which is the order the images were scored in.
      int[] classes = new int[pointing.size()];
      boolean[] hits = new boolean[pointing.size()];
      int i = 0;
      for (Map.Entry<Integer, Double> e : pointing.entrySet()) {
        classes[i] = pointingClass(e.getKey());
        hits[i++] = e.getValue() > 0;
      }
      figures.put(Metric.POINTING_ACCURACY,
          bootstrap.interval(hits.length, idx -> PointingGame.classMeanAccuracy(classes, hits, idx)));
    }
    return new MethodReport(method, figures, mean(deletionSum), mean(insertionSum), requests, failures, firstFailure);
  }

  private double[] mean(double[] sum) {
    if (sum == null) {
      return new double[0];
    }
    double[] out = new double[sum.length];
    for (int i = 0; i < sum.length; i++) {
      out[i] = sum[i] / curves;
    }
    return out;
  }
}
