package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.Bootstrap;
import java.util.EnumMap;
import java.util.Map;

/**
 * One method's results.
 *
 * @param method the method
 * @param figures every computed figure with its 95% interval (figures without data are absent)
 * @param deletionCurve the mean deletion curve (p(top-1) per step), empty without data
 * @param insertionCurve the mean insertion curve
 * @param requests explain requests sent
 * @param failures requests the server failed
 * @param firstFailure the first failure's message, or null
 */
record MethodReport(MethodName method, Map<Metric, Bootstrap.Interval> figures, double[] deletionCurve,
    double[] insertionCurve, int requests, int failures, String firstFailure) {

  MethodReport {
    figures = figures.isEmpty() ? Map.of() : new EnumMap<>(figures);
    deletionCurve = deletionCurve.clone();
    insertionCurve = insertionCurve.clone();
  }

  @Override
  public double[] deletionCurve() {
    return deletionCurve.clone();
  }

  @Override
  public double[] insertionCurve() {
    return insertionCurve.clone();
  }

  /** The figure, or null when it was not computed. */
  Bootstrap.Interval figure(Metric m) {
    return figures.get(m);
  }
}
