package io.maskserve.deploy.spark;

import io.maskserve.server.runtime.Device;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Spark job: explains every image of a folder tree or table with a zoo model and writes a
 * Parquet table ({@link ResultRows#SCHEMA}), one row per image.
 *
 * <p>Each executor JVM loads the model once ({@link ExecutorModels}) and explains its partitions in
 * batches through the server's own {@link io.maskserve.server.pipeline.ExplanationPipeline}, so a
 * row holds exactly what the server's {@code Explain} answers for the same image and parameters.
 *
 * <pre>
 * spark-submit --class io.maskserve.deploy.spark.ExplainJob maskserve-deploy-spark-*-job.jar \
 *   --zoo /data/zoo --model resnet20-cifar10:1 --input /data/images --output /data/explained.parquet
 * </pre>
 */
@Command(
    name = "explain-job",
    mixinStandardHelpOptions = true,
    description = "Explains an image collection with a zoo model on Spark and writes a Parquet table.")
public final class ExplainJob implements Callable<Integer> {

  @Option(names = "--zoo", required = true, description = "Zoo directory, at the same path on every executor.")
  String zoo;

  @Option(names = "--model", required = true, description = "NAME or NAME:VERSION (default: newest with a generator).")
  String model;

  @Option(names = "--input", required = true,
      description = "A folder tree of images, or a Parquet/CSV table with a path and/or content column.")
  String input;

  @Option(names = "--input-format", description = "folder, parquet or csv (default: from the input's extension).")
  ImageSource.Format inputFormat;

  @Option(names = "--glob", description = "Folder input: only file names matching this Hadoop glob, e.g. '{08,09}??.jpg'.")
  String glob;

  @Option(names = "--output", required = true, description = "Parquet output directory.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing output (default: fail if it exists).")
  boolean overwrite;

  @Option(names = "--batch", defaultValue = "16", description = "Images per batched inference call (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--partitions", defaultValue = "0",
      description = "Repartition the input into N partitions (default: as read).")
  int partitions;

  @Option(names = "--threshold", description = "Deterministic mask threshold (default: the generator's).")
  Float threshold;

  @Option(names = "--samples", defaultValue = "0", description = "Bernoulli masks per image (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--sample-seed", defaultValue = "0", description = "Sampler seed of every image (default ${DEFAULT-VALUE}).")
  long sampleSeed;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--intra-op-threads", defaultValue = "1",
      description = "ONNX Runtime threads per inference call (default ${DEFAULT-VALUE}: Spark runs a task per core).")
  int intraOpThreads;

  @Option(names = "--master", description = "Spark master when not run by spark-submit (default local[*]).")
  String master;

  /** The settings the executors get. */
  ExplainSettings settings() {
    return new ExplainSettings(
        ModelRef.parse(zoo, model, Device.parse(device), intraOpThreads), batch, threshold, samples, sampleSeed);
  }

  @Override
  public Integer call() {
    SparkSession.Builder builder = SparkSession.builder().appName("maskserve-explain");
    if (master != null) {
      builder.master(master);
    } else if (!new SparkConf().contains("spark.master")) {
      builder.master("local[*]");
    }
    SparkSession spark = builder.getOrCreate();
    try {
      JobSummary s = run(spark, settings(), input, inputFormat, glob, partitions, output, overwrite);
      System.out.printf("explained %d images (%d errors) in %.1f s: %.1f images/s -> %s%n",
          s.images(), s.errors(), s.seconds(), s.imagesPerSecond(), output);
      return 0;
    } finally {
      spark.stop();
    }
  }

  /**
   * Runs the job in {@code spark}.
   *
   * @param format null to guess from {@code input}
   * @param glob folder input only; null for every file
   * @param partitions 0 to keep the input's partitioning
   */
  public static JobSummary run(
      SparkSession spark,
      ExplainSettings settings,
      String input,
      ImageSource.Format format,
      String glob,
      int partitions,
      String output,
      boolean overwrite) {
    long t0 = System.nanoTime();
    Dataset<Row> images = ImageSource.read(spark, input, format != null ? format : ImageSource.Format.guess(input), glob);
    if (partitions > 0) {
      images = images.repartition(partitions);
    }
    images.mapPartitions(new PartitionExplainer(settings), org.apache.spark.sql.Encoders.row(ResultRows.SCHEMA))
        .write()
        .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
        .parquet(output);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Row counts = spark.read().parquet(output)
        .agg(functions.count(functions.lit(1)), functions.count(functions.col("error")))
        .first();
    return new JobSummary(counts.getLong(0), counts.getLong(1), seconds);
  }

  /** Runs the job; exits with 0 on success, 1 on failure, 2 on bad arguments. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ExplainJob()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }
}
