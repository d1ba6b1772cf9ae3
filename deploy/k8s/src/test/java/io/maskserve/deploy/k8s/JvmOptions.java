package io.maskserve.deploy.k8s;

import java.util.List;

/**
 * What a JVM option string ({@code MASKSERVE_JAVA_OPTS}) implies for the heap, as HotSpot reads
 * it: {@code -Xmx} (last one wins) takes precedence; without it the heap is {@code
 * MaxRAMPercentage} (default 25) of the container's memory limit.
 */
final class JvmOptions {

  /** HotSpot's default -XX:MaxRAMPercentage. */
  static final double DEFAULT_MAX_RAM_PERCENTAGE = 25.0;

  private JvmOptions() {}

  /** The maximum heap in bytes for {@code options} in a container limited to {@code limitBytes}. */
  static long maxHeapBytes(String options, long limitBytes) {
    Long xmx = null;
    double percentage = DEFAULT_MAX_RAM_PERCENTAGE;
    for (String o : words(options)) {
      if (o.startsWith("-Xmx")) {
        xmx = Quantities.jvmBytes(o.substring(4));
      } else if (o.startsWith("-XX:MaxHeapSize=")) {
        xmx = Quantities.jvmBytes(o.substring("-XX:MaxHeapSize=".length()));
      } else if (o.startsWith("-XX:MaxRAMPercentage=")) {
        percentage = Double.parseDouble(o.substring("-XX:MaxRAMPercentage=".length()));
      }
    }
    return xmx != null ? xmx : (long) (limitBytes * percentage / 100);
  }

  /** The value of {@code -Dname=value}, or {@code fallback}. */
  static String systemProperty(String options, String name, String fallback) {
    String value = fallback;
    for (String o : words(options)) {
      if (o.startsWith("-D" + name + "=")) {
        value = o.substring(name.length() + 3);
      }
    }
    return value;
  }

  private static List<String> words(String options) {
    return options == null || options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
  }
}
