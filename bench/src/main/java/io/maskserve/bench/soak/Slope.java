package io.maskserve.bench.soak;

import java.util.List;

/** Least-squares fits of samples taken over time. */
public final class Slope {

  private Slope() {}

  /** One sample: {@code t} in seconds, {@code y} in any unit. */
  public record Point(double t, double y) {}

  /**
   * The least-squares slope of {@code y} per minute over the points with {@code t >= from}; NaN
   * with fewer than two such points or all at one time.
   */
  public static double perMinute(List<Point> points, double from) {
    double n = 0;
    double st = 0;
    double sy = 0;
    for (Point p : points) {
      if (p.t() >= from) {
        n++;
        st += p.t();
        sy += p.y();
      }
    }
    if (n < 2) {
      return Double.NaN;
    }
    double mt = st / n;
    double my = sy / n;
    double sxy = 0;
    double sxx = 0;
    for (Point p : points) {
      if (p.t() >= from) {
        sxy += (p.t() - mt) * (p.y() - my);
        sxx += (p.t() - mt) * (p.t() - mt);
      }
    }
    return sxx == 0 ? Double.NaN : sxy / sxx * 60.0;
  }
}
