package io.maskserve.deploy.k8s;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as Kubernetes quantities ({@code 640Mi}, {@code 2}, {@code 500m}) and JVM options ({@code 768m}). */
final class Quantities {

  private static final Pattern QUANTITY = Pattern.compile("([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T|m)?");
  private static final Pattern JVM_SIZE = Pattern.compile("([0-9]+)([kKmMgGtT])?");
  private static final long MIB = 1024L * 1024;

  private Quantities() {}

  /** A memory quantity in bytes. */
  static long bytes(Object quantity) {
    Matcher m = QUANTITY.matcher(String.valueOf(quantity));
    if (!m.matches() || "m".equals(m.group(2))) {
      throw new AssertionError("not a memory quantity: " + quantity);
    }
    BigDecimal n = new BigDecimal(m.group(1));
    long unit = switch (m.group(2) == null ? "" : m.group(2)) {
      case "Ki" -> 1024L;
      case "Mi" -> MIB;
      case "Gi" -> 1024 * MIB;
      case "Ti" -> 1024 * 1024 * MIB;
      case "k" -> 1000L;
      case "M" -> 1000_000L;
      case "G" -> 1000_000_000L;
      case "T" -> 1000_000_000_000L;
      default -> 1L;
    };
    return n.multiply(BigDecimal.valueOf(unit)).longValueExact();
  }

  /** A CPU quantity in cores ({@code 500m} is 0.5). */
  static double cores(Object quantity) {
    Matcher m = QUANTITY.matcher(String.valueOf(quantity));
    if (!m.matches() || (m.group(2) != null && !m.group(2).equals("m"))) {
      throw new AssertionError("not a CPU quantity: " + quantity);
    }
    double n = Double.parseDouble(m.group(1));
    return m.group(2) == null ? n : n / 1000;
  }

  /** A JVM size ({@code -Xmx768m}'s {@code 768m}) in bytes. */
  static long jvmBytes(String size) {
    Matcher m = JVM_SIZE.matcher(size);
    if (!m.matches()) {
      throw new AssertionError("not a JVM size: " + size);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    return switch (unit) {
      case "k" -> n * 1024;
      case "m" -> n * MIB;
      case "g" -> n * 1024 * MIB;
      case "t" -> n * 1024 * 1024 * MIB;
      default -> n;
    };
  }

  static long mib(long bytes) {
    return bytes / MIB;
  }

  static long fromMib(long mib) {
    return mib * MIB;
  }
}
