package io.maskserve.trainer.run;

import io.maskserve.trainer.reinforce.StepStats;
import io.maskserve.zoo.fs.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-step metrics as CSV ({@code metrics.csv}) and JSON lines ({@code metrics.jsonl}), one row per
 * step, flushed as written. Opening it for a run resumed at step s first drops the rows after s
 * (written after the checkpoint the run resumes from), so every step appears exactly once.
 */
public final class MetricsLog implements AutoCloseable {

  /** CSV file name. */
  public static final String CSV = "metrics.csv";
  /** JSON-lines file name. */
  public static final String JSONL = "metrics.jsonl";
  static final String HEADER = "step,reward,log_p,keep,loss,images_per_second";

  private final BufferedWriter csv;
  private final BufferedWriter jsonl;

  private MetricsLog(BufferedWriter csv, BufferedWriter jsonl) {
    this.csv = csv;
    this.jsonl = jsonl;
  }

  /** Opens the logs in {@code dir}, keeping only rows of steps ≤ {@code resumedStep}. */
  public static MetricsLog open(Path dir, int resumedStep) {
    Path csvFile = dir.resolve(CSV);
    Path jsonFile = dir.resolve(JSONL);
    try {
      List<String> csvRows = keep(csvFile, resumedStep, line -> line.substring(0, Math.max(0, line.indexOf(','))));
      csvRows.add(0, HEADER);
      rewrite(csvFile, csvRows);
      rewrite(jsonFile, keep(jsonFile, resumedStep, MetricsLog::jsonStep));
      return new MetricsLog(append(csvFile), append(jsonFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the metrics log in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static List<String> keep(Path file, int maxStep, java.util.function.Function<String, String> stepOf)
      throws IOException {
    List<String> out = new ArrayList<>();
    if (maxStep <= 0 || !Files.isRegularFile(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      try {
        int step = Integer.parseInt(stepOf.apply(line).trim());
        if (step <= maxStep) {
          out.add(line);
        }
      } catch (NumberFormatException e) {
        // the header, or a line torn by a crash: dropped
      }
    }
    return out;
  }

  private static String jsonStep(String line) {
    int i = line.indexOf("\"step\":");
    if (i < 0) {
      return "";
    }
    int end = line.indexOf(',', i);
    return line.substring(i + 7, end < 0 ? line.length() : end);
  }

  private static void rewrite(Path file, List<String> lines) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(l).append('\n');
    }
    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(file, out -> out.write(bytes));
  }

  private static BufferedWriter append(Path file) throws IOException {
    return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Appends one step to both files and flushes them. */
  public void append(StepStats s) {
    try {
      csv.write(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.2f%n", s.step(), s.meanReward(), s.meanLogProb(),
          s.meanKeep(), s.loss(), s.imagesPerSecond()));
      jsonl.write(String.format(Locale.ROOT,
          "{\"step\":%d,\"reward\":%s,\"log_p\":%s,\"keep\":%s,\"loss\":%s,\"images_per_second\":%s}%n", s.step(),
          json(s.meanReward()), json(s.meanLogProb()), json(s.meanKeep()), json(s.loss()), json(s.imagesPerSecond())));
      csv.flush();
      jsonl.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the metrics log: " + e.getMessage(), e);
    }
  }

  private static String json(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
  }

  @Override
  public void close() {
    try {
      csv.close();
      jsonl.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the metrics log: " + e.getMessage(), e);
    }
  }
}
