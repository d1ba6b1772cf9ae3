package io.maskserve.cli.evaluate;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.maskserve.cli.ConnectionOptions;
import io.maskserve.client.MaskserveClient;
import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.DeletionInsertion;
import io.maskserve.trainer.metrics.LocalisationError;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.v1.ModelInfo;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve evaluate}: explains a labelled image set with every method through the server
 * (a running one, or one started in this process on a zoo directory), scores the explanations with
 * the metrics of {@code io.maskserve.trainer.metrics} on a local ONNX Runtime copy of the
 * classifier, and writes {@code report.json} and {@code report.html} into {@code --out}.
 */
@Command(
    name = "evaluate",
    header = "Score every explanation method with faithfulness and localisation metrics; write a report.",
    description = {
      "Explains every image of --data with every method of --methods through the server (--server, or an"
          + " in-process server on --zoo), then scores the explanations with a local ONNX Runtime copy of the"
          + " classifier (the zoo's file with --zoo; --classifier FILE with --server, checked against the served"
          + " sha256): deletion and insertion AUC (RISE), the mask's keep fraction and target probability,"
          + " Dabkowski & Gal's saliency metric and a mask-encoding check on the top-1 class; where the data has"
          + " object masks or boxes, the pointing game (TorchRay) and localisation error (CASME) on the true class."
          + " Every mean comes with a 95%% percentile-bootstrap interval. Writes OUT/report.json and OUT/report.html.",
      "",
      "--data is a folder with one subfolder per class (object masks <stem>.mask.png beside images are used),"
          + " a list file ('<path> <label>' per line), or a directory with labels.txt and boxes*.json (the"
          + " layout of the ILSVRC validation subset in ../shared)."
    })
public final class EvaluateCommand implements Callable<Integer> {

  /** Exactly one of --server and --zoo. */
  static final class Where {
    @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "A running maskserve server.")
    String server;

    @Option(names = "--zoo", required = true, paramLabel = "DIR",
        description = "A zoo directory: a server is started on it in this process, on a free port.")
    Path zoo;
  }

  @Spec CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  @Mixin ConnectionOptions connection;

  @Option(names = "--model", required = true, paramLabel = "N", description = "Zoo model name.")
  String model;

  @Option(names = "--version", paramLabel = "V",
      description = "Model version (default: the newest with a generator).")
  String version;

  @Option(names = "--data", required = true, paramLabel = "DIR|LIST",
      description = "Class folders, a list file, or an ILSVRC-style directory (labels.txt + boxes*.json).")
  Path data;

  @Option(names = "--boxes", paramLabel = "FILE",
      description = "Ground-truth boxes, JSON {file: {label, boxes: [[x0,y0,x1,y1],...]}} in image pixels"
          + " (default: the boxes*.json of an ILSVRC-style --data).")
  Path boxes;

  @Option(names = "--classifier", paramLabel = "FILE",
      description = "The classifier ONNX file (required with --server; its sha256 must match the served one).")
  Path classifier;

  @Option(names = "--methods", paramLabel = "LIST", defaultValue = "generator,gradient,smoothgrad,integrated-gradients,"
      + "grad-cam,rise,occlusion,centre,random", description = "Comma-separated methods (default: all, ${DEFAULT-VALUE})."
          + " centre (a map peaked at the image centre) and random (a uniform random map per image) are references,"
          + " not explanations.")
  String methods;

  @Option(names = "--limit", paramLabel = "N",
      description = "Evaluate only N images, taken one class at a time (default: all).")
  Integer limit;

  @Option(names = "--step", paramLabel = "PIXELS",
      description = "Pixels removed/inserted per deletion/insertion step (default: the input width, as RISE).")
  Integer step;

  @Option(names = "--deletion-substrate", paramLabel = "mean|blur", defaultValue = "mean",
      description = "What deletion replaces pixels with: 'mean' (0 in normalised space, as RISE) or 'blur' (the image"
          + " blurred as for insertion) (default ${DEFAULT-VALUE}).")
  String deletionSubstrate;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
      description = "Seed of RISE/SmoothGrad, the encoding partners and the bootstrap (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--keep-fraction", paramLabel = "F",
      description = "Baselines: fraction of pixels their mask keeps (default: the server's, 0.25).")
  Float keepFraction;

  @Option(names = "--rise-masks", paramLabel = "N", description = "RISE: number of masks (default: the server's, 4000).")
  Integer riseMasks;

  @Option(names = "--smoothgrad-samples", paramLabel = "N",
      description = "SmoothGrad: noisy copies (default: the server's, 50).")
  Integer smoothgradSamples;

  @Option(names = "--ig-steps", paramLabel = "N",
      description = "Integrated gradients: steps (default: the server's, 50).")
  Integer igSteps;

  @Option(names = "--gradcam-layer", paramLabel = "TENSOR",
      description = "Grad-CAM: the classifier tensor to explain at, e.g. an earlier stage for a finer map (default:"
          + " the server's choice, the last convolution's output).")
  String gradCamLayer;

  @Option(names = "--localisation-threshold", paramLabel = "mean|T", defaultValue = "mean",
      description = "Binarisation before localisation: 'mean' (CASME: keep about mean*n pixels) or a value in [0,1)"
          + " (default ${DEFAULT-VALUE}).")
  String localisationThreshold;

  @Option(names = "--bootstrap", paramLabel = "B", defaultValue = "1000",
      description = "Bootstrap resamples of the intervals (default ${DEFAULT-VALUE}).")
  int resamples;

  @Option(names = "--gallery", paramLabel = "N", defaultValue = "6",
      description = "Images shown with every method's map and mask in report.html (default ${DEFAULT-VALUE}).")
  int gallery;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "2",
      description = "Baseline requests in flight at once (default ${DEFAULT-VALUE}; the generator's get at least "
          + Explainer.GENERATOR_WINDOW + ", the server batches them).")
  int concurrency;

  @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "600",
      description = "Deadline of each explain request (default ${DEFAULT-VALUE}); a request that misses it counts"
          + " as failed.")
  long requestTimeout;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
  Path out;

  @Option(names = "--randomisation",
      description = "Also run the model parameter randomisation test (Adebayo et al. 2018, cascading) on the first"
          + " --randomisation-images images: layers randomised from the logits down, each method's maps compared"
          + " with its maps on the trained classifier (Spearman, Spearman of |values|, SSIM). The generator is"
          + " retrained per level (needs --randomisation-train). Runs in a scratch zoo; yours is not written.")
  boolean randomisation;

  @Option(names = "--randomisation-images", paramLabel = "N", defaultValue = "16",
      description = "Images compared per level (default ${DEFAULT-VALUE}).")
  int randomisationImages;

  @Option(names = "--randomisation-levels", paramLabel = "LIST",
      description = "Numbers of randomised layers to measure, e.g. 1,2,4,8 (default: every level, 1 to all layers).")
  String randomisationLevels;

  @Option(names = "--randomisation-train", paramLabel = "DIR|LIST",
      description = "Training images for the generator of each level (class folders or a list file; not --data).")
  Path randomisationTrain;

  @Option(names = "--randomisation-steps", paramLabel = "N", defaultValue = "300",
      description = "Training steps of each level's generator (default ${DEFAULT-VALUE}; level 0 gets the same).")
  int randomisationSteps;

  @Option(names = "--randomisation-train-args", paramLabel = "ARGS",
      description = "More `maskserve train` options for each level's generator, space-separated (e.g."
          + " \"--samples 3 --estimator REINFORCE\"); a feature decoder's --decoder-taps are added from the served"
          + " generator unless given.")
  String randomisationTrainArgs;

  /** Images loaded and explained together (every method) before the next ones are read. */
  static final int CHUNK = 16;

  /** The randomisation test on the first --randomisation-images images, explaining the trained model's top-1. */
  private RandomisationTest.Result runRandomisation(ModelInfo m, byte[] onnx, EvalSet set, InputSpec input,
      OrtClassifier clf, List<MethodName> chosen, RequestOptions options, Duration timeout, PrintWriter log)
      throws IOException, OrtException {
    EvalSet subset = set.limit(randomisationImages);
    ImageLoader loader = new ImageLoader(input);
    List<float[]> tensors = new java.util.ArrayList<>();
    for (EvalItem item : subset.items()) {
      tensors.add(loader.tensor(item));
    }
    int size = 3 * m.getInputHeight() * m.getInputWidth();
    float[] batch = new float[tensors.size() * size];
    for (int i = 0; i < tensors.size(); i++) {
      System.arraycopy(tensors.get(i), 0, batch, i * size, size);
    }
    int[] targets = clf.top1(batch, tensors.size());
    List<String> trainArgs = randomisationTrainArgs == null || randomisationTrainArgs.isBlank() ? List.of()
        : List.of(randomisationTrainArgs.strip().split("\\s+"));
    RandomisationTest.Settings settings = new RandomisationTest.Settings(chosen, parseLevels(), randomisationTrain,
        randomisationSteps, seed, trainArgs);
    return RandomisationTest.run(m, onnx, tensors, targets, options, settings, timeout, new Bootstrap(resamples, seed),
        log);
  }

  private List<Integer> parseLevels() {
    if (randomisationLevels == null || randomisationLevels.isBlank()) {
      return List.of();
    }
    try {
      return java.util.Arrays.stream(randomisationLevels.split(",")).map(String::strip).map(Integer::parseInt).toList();
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--randomisation-levels must be comma-separated integers, got '" + randomisationLevels + "'");
    }
  }

  private static void printRandomisation(PrintWriter w, RandomisationTest.Result t) {
    w.printf(Locale.ROOT, "randomisation test (%d images; mean Spearman / |Spearman| / SSIM with the trained model's"
        + " maps per number of randomised layers):%n", t.images());
    for (RandomisationTest.Curve c : t.curves()) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-22s", c.method().cliName()));
      for (int l = 0; l < t.levels().size(); l++) {
        line.append(String.format(Locale.ROOT, " %d: %.2f/%.2f/%.2f", t.levels().get(l), c.spearman().get(l).estimate(),
            c.spearmanAbs().get(l).estimate(), c.ssim().get(l).estimate()));
      }
      w.println(line);
    }
  }

  @Override
  public Integer call() throws IOException, OrtException {
    List<MethodName> chosen = parseMethods();
    LocalisationError.Threshold threshold = parseThreshold();
    DeletionInsertion.Substrate substrate = parseSubstrate();
    validate();
    Files.createDirectories(out);
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    RequestOptions options = new RequestOptions(seed, keepFraction, riseMasks, smoothgradSamples, igSteps,
        gradCamLayer);
    Duration timeout = Duration.ofSeconds(requestTimeout);
    try (ServerConnection conn = where.server != null ? ServerConnection.remote(connection.client(where.server), timeout)
        : ServerConnection.inProcess(where.zoo, timeout)) {
      MaskserveClient client = conn.client();
      ModelInfo m = ServedModel.resolve(client, model, version, chosen.contains(MethodName.GENERATOR));
      InputSpec input = ServedModel.inputSpec(m);
      byte[] onnx = ClassifierSource.load(m, conn.zoo().orElse(null), classifier);
      EvalSet set = EvalSets.open(data, boxes, m.getLabelsList(), input);
      if (limit != null) {
        set = set.limit(limit);
      }
      int stepPx = step != null ? step : m.getInputWidth();
      Evaluator.Settings settings = new Evaluator.Settings(chosen, stepPx, substrate, seed, gallery, threshold, CHUNK);
      Evaluator.Result result;
      RandomisationTest.Result randomised = null;
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
      try (OrtClassifier clf = new OrtClassifier(OrtEnvironment.getEnvironment(), onnx, m.getInputHeight(),
          m.getInputWidth(), threads, 64)) {
        Evaluator evaluator = new Evaluator(new Explainer(client, m, options, concurrency), clf, m, new ImageLoader(input), settings);
        stderr.println(String.format(Locale.ROOT, "evaluate: %s:%s on %d images of %s (%s, ground truth: %s), methods %s",
            m.getName(), m.getVersion(), set.size(), data, set.format(), set.truthKind(), names(chosen)));
        stderr.flush();
        result = evaluator.run(set, new Bootstrap(resamples, seed),
            new ProgressLine(stderr, set.size(), chosen.size(), System.console() != null));
        if (randomisation) {
          randomised = runRandomisation(m, onnx, set, input, clf, chosen, options, timeout, stderr);
        }
      }
      ReportHeader header = new ReportHeader(m.getName(), m.getVersion(), m.getDescription(),
          m.getGenerator().getClassConditional(), m.getInputHeight(), m.getInputWidth(), m.getClassifier().getSha256(),
          data.toString(), set.format(), set.truthKind(), set.withTruth(), chosen, stepPx, substrate, seed, resamples,
          threshold.toString(), options, limit, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      Path json = ReportJson.write(out, header, result, randomised);
      Path html = ReportHtml.write(out, header, result, randomised);
      printSummary(stdout, result);
      if (randomised != null) {
        printRandomisation(stdout, randomised);
      }
      stdout.println("wrote " + json.toAbsolutePath() + " and " + html.toAbsolutePath());
      stdout.flush();
    }
    return 0;
  }

  private List<MethodName> parseMethods() {
    try {
      return MethodName.parseList(methods);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--methods: " + e.getMessage());
    }
  }

  private LocalisationError.Threshold parseThreshold() {
    String t = localisationThreshold.strip().toLowerCase(Locale.ROOT);
    if (t.equals("mean")) {
      return LocalisationError.Threshold.casmeMean();
    }
    try {
      double v = Double.parseDouble(t);
      if (v >= 0 && v < 1) {
        return LocalisationError.Threshold.value(v);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CommandLine.ParameterException(spec.commandLine(),
        "--localisation-threshold must be 'mean' or a number in [0,1), got '" + localisationThreshold + "'");
  }

  private DeletionInsertion.Substrate parseSubstrate() {
    return switch (deletionSubstrate.strip().toLowerCase(Locale.ROOT)) {
      case "mean" -> DeletionInsertion.Substrate.MEAN;
      case "blur" -> DeletionInsertion.Substrate.BLUR;
      default -> throw new CommandLine.ParameterException(spec.commandLine(),
          "--deletion-substrate must be 'mean' or 'blur', got '" + deletionSubstrate + "'");
    };
  }

  private void validate() {
    StringBuilder bad = new StringBuilder();
    if (!ModelNames.isValid(model)) {
      bad.append("--model '").append(model).append("' is not a valid model name; ");
    }
    if (limit != null && limit < 1) {
      bad.append("--limit must be >= 1; ");
    }
    if (step != null && step < 1) {
      bad.append("--step must be >= 1; ");
    }
    if (keepFraction != null && !(keepFraction >= 0f && keepFraction <= 1f)) {
      bad.append("--keep-fraction must be in [0,1]; ");
    }
    if ((riseMasks != null && riseMasks < 1) || (smoothgradSamples != null && smoothgradSamples < 1)
        || (igSteps != null && igSteps < 1)) {
      bad.append("--rise-masks, --smoothgrad-samples and --ig-steps must be >= 1; ");
    }
    if (gradCamLayer != null && gradCamLayer.isBlank()) {
      bad.append("--gradcam-layer must name a tensor; ");
    }
    if (resamples < 1) {
      bad.append("--bootstrap must be >= 1; ");
    }
    if (concurrency < 1) {
      bad.append("--concurrency must be >= 1; ");
    }
    if (randomisation && (randomisationImages < 2 || randomisationSteps < 1)) {
      bad.append("--randomisation-images must be >= 2 and --randomisation-steps >= 1; ");
    }
    if (randomisationTrain != null && !Files.exists(randomisationTrain)) {
      bad.append("--randomisation-train ").append(randomisationTrain).append(" does not exist; ");
    }
    if (requestTimeout < 1) {
      bad.append("--request-timeout must be >= 1; ");
    }
    if (gallery < 0) {
      bad.append("--gallery must be >= 0; ");
    }
    if (where.server != null && classifier == null) {
      bad.append("--classifier FILE is required with --server (the metrics run the classifier locally); ");
    }
    if (where.zoo != null && connection.given()) {
      bad.append("--token-file, --tls-ca, --tls-cert and --tls-key apply only with --server; ");
    }
    if (bad.length() > 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), bad.substring(0, bad.length() - 2));
    }
  }

  private static void printSummary(PrintWriter out, Evaluator.Result r) {
    out.println(String.format(Locale.ROOT, "classifier top-1 accuracy %.3f on %d images", r.top1Accuracy().estimate(),
        r.labels().length));
    for (MethodReport mr : r.methods()) {
      StringBuilder b = new StringBuilder(mr.method().cliName()).append(':');
      for (Metric m : List.of(Metric.DELETION_AUC, Metric.INSERTION_AUC, Metric.KEEP_FRACTION, Metric.MASK_PROBABILITY,
          Metric.SALIENCY_METRIC, Metric.ENCODING_RATE, Metric.POINTING_ACCURACY, Metric.LOCALISATION_ERROR)) {
        var i = mr.figure(m);
        if (i != null) {
          b.append(String.format(Locale.ROOT, " %s %.3f [%.3f, %.3f]", m.key, i.estimate(), i.low(), i.high()));
        }
      }
      if (mr.failures() > 0) {
        b.append(" (").append(mr.failures()).append(" failed requests)");
      }
      out.println(b);
    }
    for (PairedComparison c : r.comparisons()) {
      StringBuilder b = new StringBuilder(c.method().cliName()).append(" - ").append(c.reference().cliName())
          .append(", paired:");
      for (Metric m : PairedComparison.METRICS) {
        var d = c.difference(m);
        if (d != null) {
          b.append(String.format(Locale.ROOT, " %s %+.4f [%+.4f, %+.4f] %s", m.key, d.estimate(), d.low(), d.high(),
              c.verdictWord(m)));
        }
      }
      out.println(b);
    }
  }

  private static String names(List<MethodName> ms) {
    return String.join(",", ms.stream().map(MethodName::cliName).toList());
  }
}
