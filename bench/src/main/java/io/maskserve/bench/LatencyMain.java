package io.maskserve.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ExplainLatencyBenchmark} for every model given and prints the ratios:
 * explanation latency over one classifier forward (goal ≤ 2.0×; also without scoring the mask,
 * {@code skip_scoring}), and RISE-4000 and IG-50 over the
 * generator's explanation (goals ≥ 300× and ≥ 20×).
 *
 * <p>Usage: {@code LatencyMain ZOO MODEL=IMAGE_DIR...} with optional system properties
 * {@code maskserve.bench.iterations} (measurement iterations of 1 s, default 5), {@code
 * maskserve.bench.warmups} (warm-up iterations, default 3; an iteration runs at least one call, so
 * lower both for models whose RISE-4000 takes a minute) and
 * {@code maskserve.bench.threads} (comma-separated ONNX Runtime intra-op thread counts to measure,
 * default {@code 1}, the server's default). The forked benchmark JVM inherits this JVM's options.
 */
public final class LatencyMain {

  private LatencyMain() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: LatencyMain ZOO MODEL=IMAGE_DIR...");
      System.exit(2);
    }
    int iterations = Integer.getInteger("maskserve.bench.iterations", 5);
    String[] models = new String[args.length - 1];
    // One jvmArgsAppend call: each call replaces the previous one's arguments.
    List<String> forkArgs = new ArrayList<>();
    forkArgs.add("-Dmaskserve.bench.zoo=" + args[0]);
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected MODEL=IMAGE_DIR, got " + args[i]);
      }
      models[i - 1] = kv[0];
      forkArgs.add("-Dmaskserve.bench.images." + kv[0] + "=" + kv[1]);
    }
    Options options = new OptionsBuilder()
        .jvmArgsAppend(forkArgs.toArray(String[]::new))
        .include(ExplainLatencyBenchmark.class.getSimpleName())
        .param("model", models)
        .param("intraOpThreads", System.getProperty("maskserve.bench.threads", "1").split(","))
        .forks(1)
        .warmupIterations(Integer.getInteger("maskserve.bench.warmups", 3))
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(iterations)
        .measurementTime(TimeValue.seconds(1))
        .build();
    Collection<RunResult> results = new Runner(options).run();

    // "model, N threads" -> benchmark method -> mean microseconds per call
    Map<String, Map<String, Double>> us = new java.util.TreeMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String method = label.substring(label.lastIndexOf('.') + 1);
      String row = r.getParams().getParam("model") + ", " + r.getParams().getParam("intraOpThreads") + " intra-op";
      us.computeIfAbsent(row, k -> new HashMap<>()).put(method, r.getPrimaryResult().getScore());
    }
    System.out.println();
    System.out.println("| model, threads | classifier forward µs | explain µs (tensor) | ratio (goal ≤ 2.0×) | explain µs (file bytes) |"
        + " IG-50 µs | IG-50 / explain (goal ≥ 20×) | RISE-4000 µs | RISE-4000 / explain (goal ≥ 300×) |"
        + " generator forward µs | classifier on 2 rows µs | explain, skip_scoring µs | ratio |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Map.Entry<String, Map<String, Double>> e : us.entrySet()) {
      String model = e.getKey();
      Map<String, Double> m = e.getValue();
      double cls = m.getOrDefault("classifierForward", Double.NaN);
      double gen = m.getOrDefault("explainGenerator", Double.NaN);
      double ig = m.getOrDefault("explainIg50", Double.NaN);
      double rise = m.getOrDefault("explainRise4000", Double.NaN);
      double unscored = m.getOrDefault("explainUnscored", Double.NaN);
      System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f× | %.0f | %.0f | %.0f× | %.0f | %.0f× | %.0f | %.0f | %.0f | %.2f× |%n",
          model, cls, gen, gen / cls, m.getOrDefault("explainEncoded", Double.NaN), ig, ig / gen, rise, rise / gen,
          m.getOrDefault("generatorForward", Double.NaN), m.getOrDefault("classifierTwoRows", Double.NaN),
          unscored, unscored / cls);
    }
  }
}
