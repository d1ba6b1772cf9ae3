package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * BENCHMARKS.md still states the figures {@link Benchmarks} holds: when a new measurement changes
 * them, this fails until the resources in deployment.yaml (and the constants) are revisited.
 */
class BenchmarksFiguresTest {

  private static final String SECTION = serving();

  private static String serving() {
    String text = ProjectLayout.read(ProjectLayout.root().resolve("BENCHMARKS.md"));
    int start = text.indexOf("## Serving performance");
    assertTrue(start >= 0, "BENCHMARKS.md has no section \"Serving performance\"");
    int end = text.indexOf("\n## ", start + 1);
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }

  @Test
  void restingResidentSet() {
    assertTrue(SECTION.contains(Benchmarks.RSS_AT_REST_MIB + " MiB at rest"), "RSS at rest changed");
  }

  @Test
  void perModelResidentSet() {
    assertTrue(SECTION.contains("+" + Benchmarks.RSS_PER_MODEL_MIB + " MiB once"), "RSS per model changed");
  }

  @Test
  void peakResidentSet() {
    assertTrue(SECTION.contains(Benchmarks.RSS_PEAK_MIB + " MiB at most"), "peak RSS changed");
  }

  @Test
  void measuredOnTwoCores() {
    assertTrue(SECTION.contains("shares the 2 cores with the server"), "the measurement machine changed");
  }
}
