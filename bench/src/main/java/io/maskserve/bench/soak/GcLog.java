package io.maskserve.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JDK unified GC log written with {@code -Xlog:gc:file=FILE:uptime}: one line per
 * collection, e.g. {@code [12.345s] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 3.4ms}.
 */
public final class GcLog {

  private static final Pattern LINE = Pattern.compile(
      "^\\[(\\d+(?:\\.\\d+)?)s\\].*GC\\(\\d+\\) (Pause .*?) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  private GcLog() {}

  /**
   * One collection.
   *
   * @param uptimeSeconds JVM uptime when it happened
   * @param kind e.g. {@code Pause Young (Normal) (G1 Evacuation Pause)}, {@code Pause Full (System.gc())}
   * @param afterMib heap in use after it
   * @param committedMib heap committed
   */
  public record Collection(double uptimeSeconds, String kind, double afterMib, double committedMib) {

    /** Whether it was a full collection (all garbage gone: the live heap). */
    public boolean full() {
      return kind.startsWith("Pause Full");
    }
  }

  /** The collections in {@code file} (none if it does not exist). */
  public static List<Collection> read(Path file) throws IOException {
    List<Collection> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file)) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        out.add(new Collection(Double.parseDouble(m.group(1)), m.group(2).trim(), mib(m.group(5), m.group(6)),
            mib(m.group(7), m.group(8))));
      }
    }
    return out;
  }

  private static double mib(String n, String unit) {
    double v = Double.parseDouble(n);
    return switch (unit) {
      case "K" -> v / 1024;
      case "G" -> v * 1024;
      default -> v;
    };
  }
}
