package io.maskserve.cli.evaluate;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;

/**
 * Progress of a long evaluation for a human: on a terminal one line redrawn in place, elsewhere
 * (logs, CI) a line every 10% of the images.
 */
final class ProgressLine {

  private final PrintWriter out;
  private final int total;
  private final int methods;
  private final boolean interactive;
  private final long start = System.nanoTime();
  private int lastDecile = -1;
  private boolean drawn;

  ProgressLine(PrintWriter out, int total, int methods, boolean interactive) {
    this.out = Objects.requireNonNull(out, "out");
    this.total = total;
    this.methods = methods;
    this.interactive = interactive;
  }

  /** Reports that {@code done} images are finished (every method). */
  void update(int done) {
    if (interactive) {
      out.print("\r" + line(done));
      drawn = true;
    } else {
      int decile = total == 0 ? 10 : done * 10 / total;
      if (decile == lastDecile) {
        return;
      }
      lastDecile = decile;
      out.println(line(done));
    }
    out.flush();
  }

  /** Ends an in-place line so later output starts on a new line. */
  void finish() {
    if (interactive && drawn) {
      out.println();
      out.flush();
    }
  }

  String line(int done) {
    double seconds = (System.nanoTime() - start) / 1e9;
    String eta = done == 0 ? "?" : duration(seconds * (total - done) / done);
    return String.format(Locale.ROOT, "evaluate: %d/%d images (%d%%), %d method%s, %s elapsed, ETA %s", done, total,
        total == 0 ? 100 : done * 100 / total, methods, methods == 1 ? "" : "s", duration(seconds), eta);
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s"
        : (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
  }
}
