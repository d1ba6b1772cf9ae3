package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.PointingGame;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A method against a reference method on the same images: for each headline metric, the mean of
 * {@code method − reference} over the images both were scored on, with a <em>paired</em> bootstrap
 * interval (each resample draws images, and both methods' values of a drawn image go together).
 * Two methods' marginal intervals overlap long before their difference is noise: the images vary
 * far more than the methods do on one image, and pairing removes that shared variation. The pointing
 * game's difference is of the class-averaged accuracies, recomputed on each resample.
 *
 * @param reference the method compared against
 * @param method the other method
 * @param differences per metric, {@code method − reference} with its interval ({@link
 *     Bootstrap.Interval#n()} = the images both have); metrics neither has are absent
 */
record PairedComparison(MethodName reference, MethodName method, Map<Metric, Bootstrap.Interval> differences) {

  /** The metrics compared: the ones the evaluation's verdicts rest on. */
  static final List<Metric> METRICS = List.of(Metric.DELETION_AUC, Metric.INSERTION_AUC, Metric.POINTING_ACCURACY,
      Metric.LOCALISATION_ERROR);

  PairedComparison {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(method, "method");
    differences = differences.isEmpty() ? Map.of() : new EnumMap<>(differences);
  }

  /** The difference of {@code m}, or null when the two methods share no image scored on it. */
  Bootstrap.Interval difference(Metric m) {
    return differences.get(m);
  }

  /**
   * Whether the interval of {@code m} excludes 0 on the side where {@code method} is better than
   * the reference (+1), worse (−1), or includes 0 (0). Null-safe: an absent metric is 0.
   */
  int verdict(Metric m) {
    Bootstrap.Interval d = differences.get(m);
    if (d == null || !(d.low() > 0 || d.high() < 0)) {
      return 0;
    }
    int sign = d.low() > 0 ? 1 : -1;
    return m.better == Metric.Direction.LOWER ? -sign : m.better == Metric.Direction.HIGHER ? sign : 0;
  }

  /** {@link #verdict} as a word: "better", "worse" or "level". */
  String verdictWord(Metric m) {
    int v = verdict(m);
    return v > 0 ? "better" : v < 0 ? "worse" : "level";
  }

  /** {@code other} against {@code reference}, image by image. */
  static PairedComparison of(MethodTally reference, MethodTally other, Bootstrap bootstrap) {
    Map<Metric, Bootstrap.Interval> out = new EnumMap<>(Metric.class);
    for (Metric m : METRICS) {
      Map<Integer, Double> ref = reference.byImage(m);
      Map<Integer, Double> oth = other.byImage(m);
      List<Integer> common = new ArrayList<>();
      for (Integer image : ref.keySet()) {
        if (oth.containsKey(image)) {
          common.add(image);
        }
      }
      if (common.isEmpty()) {
        continue;
      }
      int n = common.size();
      double[] a = new double[n];
      double[] b = new double[n];
      for (int i = 0; i < n; i++) {
        a[i] = ref.get(common.get(i));
        b[i] = oth.get(common.get(i));
      }
      if (m == Metric.POINTING_ACCURACY) {
        int[] classes = new int[n];
        boolean[] hitsA = new boolean[n];
        boolean[] hitsB = new boolean[n];
        for (int i = 0; i < n; i++) {
          classes[i] = reference.pointingClass(common.get(i));
          hitsA[i] = a[i] > 0;
          hitsB[i] = b[i] > 0;
        }
        out.put(m, bootstrap.interval(n, idx -> PointingGame.classMeanAccuracy(classes, hitsB, idx)
            - PointingGame.classMeanAccuracy(classes, hitsA, idx)));
      } else {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = b[i] - a[i];
        }
        out.put(m, bootstrap.mean(d));
      }
    }
    return new PairedComparison(reference.method(), other.method(), out);
  }
}
