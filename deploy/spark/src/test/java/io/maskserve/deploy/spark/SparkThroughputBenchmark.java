package io.maskserve.deploy.spark;

import io.maskserve.server.TestData;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.Outcome;
import io.maskserve.server.runtime.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput of {@link ExplainJob} on the whole CIFAR-10 evaluation split (2,000 images: files
 * 0800–0999 of every class) in Spark's local mode with 1 and 2 cores: images/s and images/s per
 * core, wall time of the whole job (listing, reading, explaining, writing Parquet).
 *
 * <p>For reference, the same images through {@link ExecutorModel#explainBatch} on one thread
 * without Spark (files read beforehand, nothing written): the per-core ceiling Spark's overhead is
 * measured against. The machine is shared, so the three configurations are timed alternately, run
 * by run, after one warm-up each (model load, JIT), and the medians are reported; the model stays
 * loaded across runs as in a long-lived executor. Run by {@code deploy/spark/bench.sh}.
 *
 * <p>Usage: {@code SparkThroughputBenchmark WORK_DIR [runs] [batch] [partitions per core, 0 = as read]}
 */
public final class SparkThroughputBenchmark {

  private static final String EVALUATION_SPLIT = "{08,09}??.jpg";

  private SparkThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : Files.createTempDirectory("spark-bench").toString());
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int partitionsPerCore = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    Path zoo = work.resolve("zoo");
    if (!Files.isDirectory(zoo.resolve(SparkJobZoo.MODEL))) {
      SparkJobZoo.populate(zoo);
    }
    Path input = TestData.shared().resolve("datasets/cifar10-test");
    ExplainSettings settings = new ExplainSettings(
        new ModelRef(zoo.toString(), SparkJobZoo.MODEL, SparkJobZoo.VERSION, Device.CPU, 1), batch, null, 0, 0);
    List<byte[]> images = evaluationSplit(input);
    System.out.printf("input: %s, %d images (evaluation split), batch %d, %d partitions per core, %d timed runs each,"
        + " alternated%n", input, images.size(), batch, partitionsPerCore, runs);

    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    Map<String, Integer> cores = Map.of("pipeline alone, 1 thread", 1, "spark local[1]", 1, "spark local[2]", 2);
    for (String config : List.of("pipeline alone, 1 thread", "spark local[1]", "spark local[2]")) {
      seconds.put(config, new ArrayList<>());
    }
    for (int r = 0; r <= runs; r++) {
      for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
        double s = e.getKey().startsWith("pipeline")
            ? pipelineAlone(settings, images)
            : sparkJob(settings, input.toString(), cores.get(e.getKey()) * partitionsPerCore, cores.get(e.getKey()),
                work.resolve("out"), images.size());
        if (r > 0) { // run 0 warms up
          e.getValue().add(s);
        }
      }
    }

    double floor = images.size() / median(seconds.get("pipeline alone, 1 thread"));
    System.out.println("| configuration | cores | median s | images/s | images/s per core | per core / pipeline alone | runs (s) |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
      int n = cores.get(e.getKey());
      double perSecond = images.size() / median(e.getValue());
      System.out.printf("| %s | %d | %.2f | %.0f | %.0f | %.2f | %s |%n", e.getKey(), n, median(e.getValue()),
          perSecond, perSecond / n, perSecond / n / floor,
          e.getValue().stream().map(s -> String.format("%.2f", s)).toList());
    }
    ExecutorModels.closeAll();
  }

  /** Seconds of one job run on a fresh local[cores] session (its start not counted). */
  private static double sparkJob(
      ExplainSettings settings, String input, int partitions, int cores, Path out, int expected) {
    SparkSession spark = SparkSession.builder()
        .master("local[" + cores + "]")
        .appName("maskserve-explain-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    try {
      JobSummary s = ExplainJob.run(
          spark, settings, input, ImageSource.Format.FOLDER, EVALUATION_SPLIT, partitions, out.toString(), true);
      if (s.images() != expected || s.errors() != 0) {
        throw new IllegalStateException("expected " + expected + " rows without errors, got " + s);
      }
      return s.seconds();
    } finally {
      spark.stop();
    }
  }

  /** Seconds to explain {@code images} on this thread through the executor model, in batches. */
  private static double pipelineAlone(ExplainSettings settings, List<byte[]> images) {
    ExecutorModel model = ExecutorModels.get(settings.model());
    long t0 = System.nanoTime();
    for (int from = 0; from < images.size(); from += settings.batchSize()) {
      List<ExplainQuery> batch = images.subList(from, Math.min(images.size(), from + settings.batchSize())).stream()
          .map(settings::query)
          .toList();
      model.explainBatch(batch).forEach(Outcome::get);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static List<byte[]> evaluationSplit(Path root) throws Exception {
    List<byte[]> images = new ArrayList<>();
    try (var classes = Files.list(root)) {
      for (Path c : classes.filter(Files::isDirectory).sorted().toList()) {
        for (int i = 800; i < 1000; i++) {
          images.add(Files.readAllBytes(c.resolve(String.format("%04d.jpg", i))));
        }
      }
    }
    return images;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
