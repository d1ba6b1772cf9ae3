package io.maskserve.deploy.k8s;

/**
 * The measured figures the resources in deployment.yaml are sized from: BENCHMARKS.md, section
 * "Serving performance (issue 6)", paragraph "Memory" and the end-to-end table (server RSS from
 * /proc, default server settings, 2 cores). {@code BenchmarksFiguresTest} checks that BENCHMARKS.md
 * still states them, so a new measurement fails the build until the sizing is revisited.
 */
final class Benchmarks {

  /** Resident set of the server with no model loaded: "118 MiB at rest". */
  static final long RSS_AT_REST_MIB = 118;

  /**
   * What one model adds once it has served: "+237 MiB once synth has served its first requests,
   * +200 MiB more for ResNet-20"; the larger of the two.
   */
  static final long RSS_PER_MODEL_MIB = 237;

  /** Peak resident set: "567 MiB at most under the 64-client load with both models loaded". */
  static final long RSS_PEAK_MIB = 567;

  /** The cores the figures were measured on (the server shared them with the load generator). */
  static final double MEASURED_CORES = 2;

  private Benchmarks() {}
}
