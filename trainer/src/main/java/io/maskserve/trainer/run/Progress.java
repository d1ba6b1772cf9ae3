package io.maskserve.trainer.run;

import io.maskserve.trainer.reinforce.StepStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Training progress for a human: on a terminal one line redrawn in place (a bar, step, reward,
 * keep fraction, speed, ETA), elsewhere (logs, CI) a plain line every 5% of the run.
 */
public final class Progress {

  private static final int BAR = 24;

  private final PrintWriter out;
  private final int total;
  private final boolean interactive;
  private final long startNanos = System.nanoTime();
  private final int firstStep;
  private long lastDraw;
  private boolean drawn;

  /**
   * @param out where to write
   * @param firstStep the step the run starts (or resumes) from
   * @param total the run's last step
   * @param interactive redraw one line in place (a terminal) or print lines
   */
  public Progress(PrintWriter out, int firstStep, int total, boolean interactive) {
    this.out = Objects.requireNonNull(out, "out");
    this.firstStep = firstStep;
    this.total = total;
    this.interactive = interactive;
  }

  /** Reports a finished step. */
  public void update(StepStats s) {
    boolean last = s.step() >= total;
    if (interactive) {
      long now = System.nanoTime();
      if (!last && now - lastDraw < 100_000_000L) {
        return;
      }
      lastDraw = now;
      out.print('\r' + line(s));
      if (last) {
        out.println();
      }
      drawn = true;
    } else {
      int every = Math.max(1, total / 20);
      if (s.step() % every != 0 && !last) {
        return;
      }
      out.println(line(s));
    }
    out.flush();
  }

  /** Ends an interrupted in-place line so later output starts on a new line. */
  public void finish() {
    if (interactive && drawn) {
      out.println();
      out.flush();
    }
  }

  String line(StepStats s) {
    int filled = total == 0 ? BAR : (int) Math.round(BAR * s.step() / (double) total);
    String bar = "#".repeat(Math.min(BAR, filled)) + ".".repeat(Math.max(0, BAR - filled));
    return String.format(Locale.ROOT, "[%s] step %d/%d  reward %.3f  keep %.3f  %.0f img/s  ETA %s", bar, s.step(),
        total, s.meanReward(), s.meanKeep(), s.imagesPerSecond(), eta(s.step()));
  }

  private String eta(int step) {
    int done = step - firstStep;
    if (done <= 0) {
      return "?";
    }
    double perStep = (System.nanoTime() - startNanos) / 1e9 / done;
    return format(Duration.ofSeconds(Math.round(perStep * (total - step))));
  }

  static String format(Duration d) {
    long s = d.getSeconds();
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
