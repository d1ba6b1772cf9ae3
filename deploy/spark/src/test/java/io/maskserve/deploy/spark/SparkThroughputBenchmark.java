package io.maskserve.deploy.spark;

import io.maskserve.server.TestData;
import io.maskserve.server.runtime.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput of {@link ExplainJob} on the whole CIFAR-10 evaluation split (2,000 images: files
 * 0800–0999 of every class) in Spark's local mode with 1 and 2 cores: images/s and images/s per
 * core, wall time of the whole job (listing, reading, explaining, writing Parquet). Each
 * configuration runs once to warm up (model load, JIT) and then {@code runs} timed times; the
 * median is reported. Run by {@code deploy/spark/bench.sh}.
 *
 * <p>Usage: {@code SparkThroughputBenchmark WORK_DIR [runs] [batch]}
 */
public final class SparkThroughputBenchmark {

  private SparkThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : Files.createTempDirectory("spark-bench").toString());
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    Path zoo = work.resolve("zoo");
    if (!Files.isDirectory(zoo.resolve(SparkJobZoo.MODEL))) {
      SparkJobZoo.populate(zoo);
    }
    String input = TestData.shared().resolve("datasets/cifar10-test").toString();
    ExplainSettings settings = new ExplainSettings(
        new ModelRef(zoo.toString(), SparkJobZoo.MODEL, SparkJobZoo.VERSION, Device.CPU, 1), batch, null, 0, 0);
    System.out.printf("input: %s (evaluation split), batch %d, %d timed runs per configuration%n", input, batch, runs);
    System.out.println("| cores | images | errors | median s | images/s | images/s per core | runs (s) |");
    System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (int cores : new int[] {1, 2}) {
      SparkSession spark = SparkSession.builder()
          .master("local[" + cores + "]")
          .appName("maskserve-explain-bench")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
      try {
        List<Double> seconds = new ArrayList<>();
        JobSummary last = null;
        for (int r = 0; r <= runs; r++) {
          // Two tasks per core, so that a core never idles while another finishes its last partition.
          last = ExplainJob.run(spark, settings, input, ImageSource.Format.FOLDER, "{08,09}??.jpg", 2 * cores,
              work.resolve("out-" + cores + "-" + r).toString(), true);
          if (r > 0) {
            seconds.add(last.seconds());
          }
        }
        List<Double> sorted = new ArrayList<>(seconds);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        double perSecond = last.images() / median;
        System.out.printf("| %d | %d | %d | %.2f | %.1f | %.1f | %s |%n", cores, last.images(), last.errors(), median,
            perSecond, perSecond / cores, seconds.stream().map(s -> String.format("%.2f", s)).toList());
      } finally {
        spark.stop();
      }
    }
    ExecutorModels.closeAll();
  }
}
