package io.maskserve.trainer.cli;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.FileImages;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.ImageSource;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.export.OnnxExporter;
import io.maskserve.trainer.model.GeneratorConfig;
import java.util.ArrayList;
import java.util.List;
import io.maskserve.trainer.model.Tap;
import io.maskserve.trainer.model.DecoderConfig;
import io.maskserve.trainer.reinforce.Evaluation;
import io.maskserve.trainer.reinforce.GeneratorCheckpoint;
import io.maskserve.trainer.reinforce.AmortisedRise;
import io.maskserve.trainer.reinforce.Substrate;
import io.maskserve.trainer.reinforce.Objective;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.trainer.reinforce.OrtGradients;
import io.maskserve.trainer.reinforce.Paper;
import io.maskserve.trainer.reinforce.Reinforce;
import io.maskserve.trainer.reinforce.RemovalRanking;
import io.maskserve.trainer.reinforce.StepStats;
import io.maskserve.trainer.reinforce.Trainer;
import io.maskserve.trainer.reinforce.TrainerConfig;
import io.maskserve.trainer.run.MetricsLog;
import io.maskserve.trainer.run.Progress;
import io.maskserve.trainer.run.RunDirectory;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import io.maskserve.zoo.autodiff.GradientTap;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve train}: trains a generator for a zoo classifier with policy gradients, writes
 * resumable checkpoints, the metrics log and {@code generator.onnx} into {@code --out}, and with
 * {@code --register} attaches the generator to the classifier version in the zoo.
 */
@Command(
    name = "train",
    header = "Train a generator for a zoo classifier (policy gradient).",
    description = "Trains a generator for classifier --model (version --version, default the newest) of the zoo"
        + " directory --zoo on the images of --data: a folder with one subfolder per class label, or a list file"
        + " ('<path> <label>' per line, paths relative to the file). Writes into --out: run.properties, a"
        + " resumable checkpoint every --checkpoint-every steps (trainer.state, generator.properties,"
        + " generator.params), metrics.csv and metrics.jsonl, and at the end generator.onnx. --resume continues"
        + " a stopped run from its last checkpoint, exactly as if it had not stopped. When --eval holds"
        + " <id>.mask.png object masks (maskserve synth), also prints the pointing game, IoU and keep fraction.")
public final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  // Not mixinStandardHelpOptions: that adds -V/--version, which clashes with --version V.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo directory.")
  Path zoo;

  @Option(names = "--model", required = true, paramLabel = "N", description = "Classifier name in the zoo.")
  String model;

  @Option(names = "--version", paramLabel = "V", description = "Classifier version (default: the newest).")
  String version;

  @Option(names = "--data", required = true, paramLabel = "DIR|FILE",
      description = "Training images: DIR/<label>/<file>, or a list file of '<path> <label>' lines.")
  Path data;

  @Option(names = "--eval", paramLabel = "DIR", description = "Evaluation images with masks (default: none).")
  Path eval;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory.")
  Path out;

  @Option(names = "--resume", description = "Continue the run stored in --out from its last checkpoint.")
  boolean resume;

  @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "N",
      description = "Write a resumable checkpoint every N steps (default ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--objective", defaultValue = "reinforce", paramLabel = "reinforce|paper|rise",
      description = "reinforce (K samples, leave-one-out baseline, exact regulariser gradients), paper"
          + " (the authors' reference objective) or rise (no policy gradient: the map is fitted to the classifier's"
          + " scores on --samples of RISE's random masks per image, see --rise-fit). Default ${DEFAULT-VALUE}.")
  String objective;

  @Option(names = "--rise-grid", defaultValue = "8", paramLabel = "S", split = ",",
      description = "rise objective: side of the masks' random grid, upsampled to the input (default ${DEFAULT-VALUE})."
          + " Several sides, each with its --rise-keep, make several families of masks: an image's samples take them in"
          + " turn, and one additive fit explains them all.")
  List<Integer> riseGrid;

  @Option(names = "--rise-fit", defaultValue = "ADDITIVE", paramLabel = "MEAN|ADDITIVE",
      description = "rise objective: MEAN regresses the map on the masks' scores (RISE's conditional mean);"
          + " ADDITIVE fits the scores by least squares as a sum of per-cell effects (the map's logits)."
          + " Default ${DEFAULT-VALUE}.")
  AmortisedRise.Fit riseFit;

  @Option(names = "--rise-keep", defaultValue = "0.5", paramLabel = "Q", split = ",",
      description = "rise objective: probability of keeping a grid cell (default ${DEFAULT-VALUE}); one value, or one"
          + " per --rise-grid.")
  List<Float> riseKeep;

  @Option(names = "--substrate", defaultValue = "MEAN", paramLabel = "MEAN|BLUR|MIXED",
      description = "What removed pixels become in the samples that ask whether the kept region keeps the class (rise:"
          + " every mask; reinforce: the keep samples, with --estimator REINFORCE; destroyer samples always remove to the"
          + " mean, as the deletion metric does): the dataset mean, the image blurred as the insertion metric blurs it,"
          + " or either per image and step. Default ${DEFAULT-VALUE}.")
  Substrate substrate;

  @Option(names = "--estimator", defaultValue = "MUPROP", paramLabel = "E",
      description = "reinforce objective: REINFORCE, MUPROP (Taylor control variate) or LOCAL (local input"
          + " gradients). Default ${DEFAULT-VALUE}.")
  Reinforce.Estimator estimator;

  @Option(names = "--eta", defaultValue = "1", description = "Weight of the MUPROP/LOCAL term (default ${DEFAULT-VALUE}).")
  float eta;

  @Option(names = "--steps", defaultValue = "500", description = "Optimiser steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch-size", defaultValue = "16", description = "Images per step (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "8",
      description = "Masks sampled per image, >= 2 (1 is enough for --objective rise --rise-fit MEAN; default"
          + " ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
  float lr;

  @Option(names = "--lr-schedule", defaultValue = "cosine", paramLabel = "cosine|constant",
      description = "cosine: decay the learning rate to 5%% by the last step; constant. Default ${DEFAULT-VALUE}.")
  String lrSchedule;

  @Option(names = "--initial-keep", defaultValue = "0.9",
      description = "Keep probability the generator starts from (default ${DEFAULT-VALUE}).")
  float initialKeep;

  @Option(names = "--lambda-area", defaultValue = "2.0", description = "Area weight of the reward (default ${DEFAULT-VALUE}).")
  float lambdaArea;

  @Option(names = "--lambda-tv", defaultValue = "0.3", description = "TV weight of the reward (default ${DEFAULT-VALUE}).")
  float lambdaTv;

  @Option(names = "--lambda-deletion", defaultValue = "0", paramLabel = "B",
      description = "reinforce objective: weight of -p(target | kept region removed)^0.3 in the reward, so that"
          + " removing what the mask keeps destroys the class (default ${DEFAULT-VALUE} = off).")
  float lambdaDeletion;

  @Option(names = "--nested-exponents", split = ",", paramLabel = "G[,G...]",
      description = "reinforce objective: nested budgets. Sample k is drawn from p^G_k and pays G_k times the area"
          + " weight, G cycled over the samples (e.g. 1,2,4), so that the map ranks cells inside the kept region"
          + " (thresholds of it are nested masks, each trained at its own budget). Default: off.")
  List<Float> nestedExponents;

  @Option(names = "--destroyer-budgets", split = ",", paramLabel = "F[,F...]",
      description = "reinforce objective: every second sample becomes a removal set of about a fraction F of the"
          + " map's top cells (one F per image from the list, e.g. 0.05,0.1,0.2), rewarded"
          + " -B*p(target | set removed)^0.3 (B = --lambda-deletion), so that the top of the map holds the cells"
          + " whose removal destroys the class (the order deletion curves read). Needs --lambda-deletion > 0 and"
          + " an even --samples >= 4. Default: off.")
  List<Float> destroyerBudgets;

  @Option(names = "--inserter-budgets", split = ",", paramLabel = "G[,G...]",
      description = "reinforce objective: inserter samples, the insertion curve's counterpart of"
          + " --destroyer-budgets: about a fraction G of the map's top cells is kept on the image blurred as the"
          + " insertion metric blurs it, rewarded +A*p(target | set kept on the blur)^0.3 (A = --lambda-insertion),"
          + " so that the top of the map holds the cells that bring the class back first. Keep, destroyer and"
          + " inserter samples take turns: --samples must be a multiple of the kinds on (e.g. 6 with both) and hold"
          + " two of each. Needs --lambda-insertion > 0. Default: off.")
  List<Float> inserterBudgets;

  @Option(names = "--lambda-insertion", defaultValue = "0", paramLabel = "A",
      description = "reinforce objective: weight of the --inserter-budgets samples' reward (default ${DEFAULT-VALUE}).")
  float lambdaInsertion;

  @Option(names = "--removal-ranking", defaultValue = "0", paramLabel = "N|all",
      description = "Add a ranking term from the classifier's removal effects: each step, N random cells of every"
          + " image are scored removed one at a time, and the map is asked to rank the cells whose removal lowers"
          + " the class most highest (pairwise logistic loss on the map's logits; N classifier passes per image per"
          + " step). 'all': every cell, on standardised logits (the order alone), each image's effects computed"
          + " once (one pass per cell the first time it is seen) and cached in memory for later epochs. Either"
          + " objective. Default ${DEFAULT-VALUE} = off.")
  String removalRanking;

  @Option(names = "--lambda-ranking", defaultValue = "1", paramLabel = "W",
      description = "Weight of the --removal-ranking term (default ${DEFAULT-VALUE}).")
  float lambdaRanking;

  @Option(names = "--hflip", description = "Mirror each training image left to right with probability 1/2 at"
      + " every step (augmentation for small training sets). Default: off.")
  boolean hflip;

  @Option(names = "--logit-bound", defaultValue = "0", paramLabel = "L",
      description = "Penalise the generator's logits beyond +-L ((|z| - L)^2, mean over the cells), so that keep"
          + " probabilities do not saturate where no reward's gradient reaches them any more (e.g. 4: p within"
          + " [0.018, 0.982] before the penalty bites). Any objective. Default ${DEFAULT-VALUE} = off.")
  float logitBound;

  @Option(names = "--entropy", defaultValue = "0.01", description = "Entropy bonus weight (default ${DEFAULT-VALUE}).")
  float entropy;

  @Option(names = "--width", defaultValue = "16", description = "Generator base width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--depth", defaultValue = "3", description = "Generator depth (default ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--blocks", defaultValue = "1", description = "Conv blocks per level (default ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--output-level", defaultValue = "1", description = "Output grid = input / 2^L (default ${DEFAULT-VALUE}).")
  int outputLevel;

  @Option(names = "--smooth", defaultValue = "1", description = "Odd smoothing kernel, 1 = none (default ${DEFAULT-VALUE}).")
  int smooth;

  @Option(names = "--decoder-taps", split = ",", paramLabel = "TENSOR",
      description = "Train a feature decoder instead of the image U-Net: the generator reads these tensors of the"
          + " classifier's ONNX graph (comma-separated; any order, they are sorted coarsest first), which the server"
          + " takes from the prediction's own forward pass. --width/--depth/--blocks/--output-level are then unused;"
          + " the output grid is the finest tap's. The name " + GradientTap.GRAD_X_INPUT + " reads the top-1 logit's"
          + " gradient x input [N,1,H,W], " + GradientTap.GRAD_X_INPUT + ".poolK its mean over KxK cells (K = 2, 4,"
          + " 8, 16, 32); the classifier's pass then includes a backward pass.")
  List<String> decoderTaps;

  @Option(names = "--decoder-width", defaultValue = "64", paramLabel = "C",
      description = "Channels of the feature decoder (default ${DEFAULT-VALUE}).")
  int decoderWidth;

  @Option(names = "--class-conditional",
      description = "Train a class-conditional generator: the class to explain is a second input (ONNX 'target'"
          + " int64 [N]), so any class can be explained, not only the top-1.")
  boolean classConditional;

  @Option(names = "--target-top-k", paramLabel = "K",
      description = "Class explained per training image: one of the classifier's top K on the unmasked image,"
          + " drawn in proportion to its probabilities (default 2 with --class-conditional, else 1 = the top-1).")
  Integer targetTopK;

  @Option(names = "--target-temperature", defaultValue = "1", paramLabel = "T",
      description = "With --target-top-k > 1: the top K are drawn with weights p^(1/T); 1 = in proportion to the"
          + " classifier's probabilities, larger = closer to uniform (default ${DEFAULT-VALUE}).")
  float targetTemperature;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Keep threshold of the deterministic mask (default: 0.5 for reinforce, 0.35 for paper).")
  Float threshold;

  @Option(names = "--register", description = "Attach the generator to the classifier version in the zoo.")
  boolean register;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("--checkpoint-every must be >= 1");
    }
    RemovalRanking.Settings ranking;
    try {
      ranking = RemovalRanking.Settings.parse(removalRanking, lambdaRanking);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--removal-ranking/--lambda-ranking: " + e.getMessage(), e);
    }
    String objectiveName = objective.toLowerCase(Locale.ROOT);
    if (!List.of("reinforce", "paper", "rise").contains(objectiveName)) {
      throw new IllegalArgumentException("--objective must be reinforce, paper or rise, got " + objective);
    }
    boolean paper = objectiveName.equals("paper");
    boolean rise = objectiveName.equals("rise");
    if (!objectiveName.equals("reinforce") && (lambdaDeletion > 0 || lambdaInsertion > 0
        || (destroyerBudgets != null && !destroyerBudgets.isEmpty())
        || (inserterBudgets != null && !inserterBudgets.isEmpty())
        || (nestedExponents != null && !nestedExponents.isEmpty()))) {
      throw new IllegalArgumentException("--lambda-deletion, --lambda-insertion, --nested-exponents,"
          + " --destroyer-budgets and --inserter-budgets apply to the reinforce objective, not to --objective "
          + objectiveName);
    }
    if (paper && substrate != Substrate.MEAN) {
      throw new IllegalArgumentException("--substrate applies to the reinforce and rise objectives, not to --objective paper");
    }
    if (!paper && !rise && substrate != Substrate.MEAN && estimator != Reinforce.Estimator.REINFORCE) {
      throw new IllegalArgumentException("--substrate " + substrate + " needs --estimator REINFORCE (" + estimator
          + " expands the score on the mean substrate)");
    }
    AmortisedRise.Settings riseSettings = rise ? new AmortisedRise.Settings(riseFit, samples, riseFamilies(), substrate) : null;
    float keepThreshold = threshold != null ? threshold : paper ? Paper.THRESHOLD
        : rise ? AmortisedRise.THRESHOLD : 0.5f;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(env));
    ModelManifest manifest = ZooModels.classifier(store, zoo, model, version);
    byte[] classifierBytes = Files.readAllBytes(store.localFile(manifest, manifest.classifier()));
    int h = manifest.input().height();
    int wd = manifest.input().width();
    ImageSource train = Files.isDirectory(data) ? FileImages.folder(data, manifest.labels(), manifest.input())
        : FileImages.list(data, manifest.labels(), manifest.input());
    GeneratorConfig gc = new GeneratorConfig(width, depth, blocks, outputLevel, smooth,
        classConditional ? manifest.numClasses() : 0);
    int topK = targetTopK != null ? targetTopK : classConditional ? 2 : 1;
    boolean cosine = switch (lrSchedule.toLowerCase(Locale.ROOT)) {
      case "cosine" -> true;
      case "constant" -> false;
      default -> throw new IllegalArgumentException("--lr-schedule must be cosine or constant, got " + lrSchedule);
    };
    List<String> taps = decoderTaps == null ? List.of() : decoderTaps;
    if (!taps.isEmpty() && classConditional) {
      throw new IllegalArgumentException("--decoder-taps and --class-conditional cannot be combined yet: feature"
          + " decoders explain the classifier's top-1");
    }
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    DecoderConfig decoder = taps.isEmpty() ? null : decoderConfig(env, classifierBytes, h, wd, taps);
    TrainerConfig config = new TrainerConfig(gc, steps, batchSize, lr, initialKeep, seed, cosine, topK,
        targetTemperature, decoder, hflip, logitBound);
    // The paper objective has always recorded these settings (its runs resume by them); rise has its own.
    Reinforce.Settings settings = rise ? null : new Reinforce.Settings(samples, lambdaArea, lambdaTv, entropy, estimator, eta,
        keepThreshold, lambdaDeletion, nestedExponents == null ? List.of() : nestedExponents,
        destroyerBudgets == null ? List.of() : destroyerBudgets, substrate,
        inserterBudgets == null ? List.of() : inserterBudgets, lambdaInsertion);
    RunDirectory run = new RunDirectory(out);
    String label = paper ? "paper"
        : rise ? "rise/" + riseFit + ", grid " + joined(riseGrid) + ", keep " + joined(riseKeep)
            + ", substrate " + substrate : "reinforce/" + estimator
            + (substrate == Substrate.MEAN ? "" : ", keep samples on substrate " + substrate);
    run.begin(settings(manifest, config, settings, objectiveName, keepThreshold, ranking), resume);
    boolean needsGradients = paper || (!rise && estimator != Reinforce.Estimator.REINFORCE);
    GeneratorCheckpoint architecture = new GeneratorCheckpoint(gc, decoder, h, wd);
    try (OrtClassifier classifier = new OrtClassifier(env, classifierBytes, h, wd, threads, 512,
            decoder == null ? List.of() : decoder.tensors());
        OrtGradients gradients = needsGradients ? new OrtGradients(env, classifierBytes,
            paper ? AutodiffOptions.Score.LOGIT : AutodiffOptions.Score.LOG_SOFTMAX, h, wd, threads, 256) : null) {
      Objective obj = paper ? new Paper(classifier, gradients)
          : rise ? new AmortisedRise(riseSettings, classifier) : new Reinforce(settings, classifier, gradients);
      if (ranking != null) {
        obj = new RemovalRanking(obj, classifier, ranking);
      }
      try (Trainer trainer = new Trainer(config, obj, classifier, train)) {
        int start = resume ? run.restore(trainer) : 0;
        w.printf(Locale.ROOT, "%s %d images of %s:%s, steps %d..%d (%s objective)%n",
            start > 0 ? "resuming on" : "training on", train.size(), manifest.name(), manifest.version(), start + 1,
            steps, label);
        w.flush();
        Progress progress = new Progress(w, start, steps, System.console() != null);
        try (MetricsLog metrics = MetricsLog.open(out, start)) {
          while (trainer.stepsDone() < steps) {
            StepStats s = trainer.step();
            metrics.append(s);
            progress.update(s);
            if (s.step() % checkpointEvery == 0) {
              run.checkpoint(trainer, architecture);
            }
          }
        } finally {
          progress.finish();
        }
        run.checkpoint(trainer, architecture);
        byte[] onnx = new OnnxExporter().export(trainer.generator(), h, wd);
        Files2.writeAtomically(out.resolve("generator.onnx"), onnx);
        w.printf(Locale.ROOT, "wrote %s (step %d)%n", out.resolve("generator.onnx"), trainer.stepsDone());
        if (eval != null) {
          evaluate(w, trainer, classifier, manifest, gc, keepThreshold);
        }
        if (register) {
          ModelManifest m = store.registerGenerator(new GeneratorRegistration(manifest.key(), keepThreshold, "",
              label + ", " + steps + " steps, seed " + seed),
              new ByteArrayInputStream(onnx));
          w.printf(Locale.ROOT, "registered the generator of %s:%s in %s%n", m.name(), m.version(), zoo);
        }
      }
    }
    w.flush();
    return 0;
  }

  private void evaluate(PrintWriter w, Trainer trainer, OrtClassifier classifier, ModelManifest manifest,
      GeneratorConfig gc, float keepThreshold) throws Exception {
    // Two-object scenes have no single right answer for the top-1; they are evaluated below.
    LabelledImages ev = ImageSets.singleObjects(eval, manifest.labels(), manifest.input());
    if (ev.masks() == null) {
      throw new IllegalArgumentException("--eval " + eval + " has no <id>.mask.png object masks");
    }
    int[] targets = classifier.top1(ev.pixels(), ev.size());
    int h = manifest.input().height();
    float[][] maps = trainer.keepProbabilities(ev.pixels(), targets, ev.size());
    Evaluation.Result r = Evaluation.evaluate(maps, trainer.generator().outputHeight(h),
        trainer.generator().outputWidth(manifest.input().width()), ev,
        targets, classifier, keepThreshold, Evaluation.defaultTolerance(Math.max(h, manifest.input().width())));
    w.printf(Locale.ROOT, "eval on %d images: pointing %.3f (uniform map %.3f), IoU %.3f, keep %.3f,"
        + " p(masked)/p(original) %.3f%n", ev.size(), r.pointingRate(), r.uniformPointingRate(), r.meanIou(),
        r.meanKeep(), r.probabilityRatio());
    LabelledImages pairs = gc.conditional() ? ImageSets.pairs(eval, manifest.labels(), manifest.input()) : null;
    if (pairs != null && pairs.size() > 0) {
      // Each object of a two-object scene requested in turn: the map must follow the requested class.
      int[] asked = pairs.labels();
      float[][] pm = trainer.keepProbabilities(pairs.pixels(), asked, pairs.size());
      int gh = gc.outputSide(h);
      int gw = gc.outputSide(manifest.input().width());
      Evaluation.Result p = Evaluation.evaluate(pm, gh, gw, pairs, asked, classifier, keepThreshold,
          Evaluation.defaultTolerance(Math.max(h, manifest.input().width())));
      double wins = Evaluation.maskedTop1Rate(pm, gh, gw, pairs, asked, classifier, keepThreshold);
      w.printf(Locale.ROOT, "class-conditional, %d two-object scenes, each class requested: pointing %.3f"
          + " (uniform map %.3f), IoU %.3f, keep %.3f, masked image classified as the requested class %.3f%n",
          pairs.size() / 2, p.pointingRate(), p.uniformPointingRate(), p.meanIou(), p.meanKeep(), wins);
    }
  }

  /**
   * The decoder of {@code taps}: their shapes are read off one classifier pass on a blank image,
   * and they are ordered coarsest first (ties keep the given order).
   */
  private DecoderConfig decoderConfig(OrtEnvironment env, byte[] classifierBytes, int h, int wd, List<String> taps)
      throws Exception {
    List<Tap> found = new ArrayList<>();
    try (OrtClassifier probe = new OrtClassifier(env, classifierBytes, h, wd, 1, 1, taps)) {
      OrtClassifier.Features f = probe.features(new float[3 * h * wd], 1);
      for (String t : taps) {
        long[] s = f.shapes().get(t);
        if (s.length != 3) {
          throw new IllegalArgumentException("classifier tensor " + t + " has per-image shape "
              + java.util.Arrays.toString(s) + "; a decoder reads [C,H,W] feature maps");
        }
        found.add(new Tap(t, (int) s[0], (int) s[1], (int) s[2]));
      }
    }
    found.sort(java.util.Comparator.comparingInt(Tap::height));
    return new DecoderConfig(found, decoderWidth, smooth);
  }

  /** The rise objective's mask families: --rise-grid and --rise-keep paired, a single value repeated. */
  private List<AmortisedRise.Family> riseFamilies() {
    int n = Math.max(riseGrid.size(), riseKeep.size());
    if ((riseGrid.size() != n && riseGrid.size() != 1) || (riseKeep.size() != n && riseKeep.size() != 1)) {
      throw new IllegalArgumentException("--rise-grid and --rise-keep must give as many values as each other (or one),"
          + " got " + riseGrid.size() + " and " + riseKeep.size());
    }
    List<AmortisedRise.Family> families = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      families.add(new AmortisedRise.Family(riseGrid.get(riseGrid.size() == 1 ? 0 : i),
          riseKeep.get(riseKeep.size() == 1 ? 0 : i)));
    }
    return families;
  }

  private static String joined(List<?> values) {
    return values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
  }

  /** What run.properties records; {@code s} is null for the rise objective. */
  private Map<String, String> settings(ModelManifest manifest, TrainerConfig c, Reinforce.Settings s,
      String objectiveName, float keepThreshold, RemovalRanking.Settings ranking) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("classifier", manifest.name() + ":" + manifest.version());
    m.put("classifierSha256", manifest.classifier().sha256());
    m.put("data", data.toAbsolutePath().normalize().toString());
    m.put("objective", objectiveName);
    if (s == null) {
      m.put("riseFit", riseFit.name());
      m.put("riseGrid", joined(riseGrid));
      m.put("riseKeep", joined(riseKeep));
    } else {
      m.put("estimator", s.estimator().name());
      m.put("eta", Float.toString(s.taylorWeight()));
      m.put("lambdaArea", Float.toString(s.lambdaArea()));
      m.put("lambdaTv", Float.toString(s.lambdaTv()));
      m.put("entropy", Float.toString(s.entropyWeight()));
    }
    if (substrate != Substrate.MEAN) { // absent = MEAN, so runs from before the option still resume
      m.put("substrate", substrate.name());
    }
    m.put("samples", Integer.toString(samples));
    m.put("threshold", Float.toString(keepThreshold));
    m.put("steps", Integer.toString(c.steps()));
    m.put("batchSize", Integer.toString(c.batchSize()));
    m.put("learningRate", Float.toString(c.learningRate()));
    m.put("lrSchedule", c.cosineDecay() ? "cosine" : "constant");
    m.put("initialKeep", Float.toString(c.initialKeep()));
    m.put("seed", Long.toString(c.seed()));
    GeneratorConfig g = c.generator();
    m.put("generator", g.baseWidth() + "/" + g.depth() + "/" + g.blocksPerLevel() + "/" + g.outputLevel() + "/"
        + g.smoothKernel());
    if (c.decoder() != null) {
      // Only for decoder runs, so that runs started before decoders existed still resume.
      m.put("decoder", c.decoder().width() + "/" + String.join(",", c.decoder().tensors()));
    }
    if (s != null && s.deletionWeight() > 0) {
      m.put("lambdaDeletion", Float.toString(s.deletionWeight()));
    }
    if (s != null && !s.nestedExponents().isEmpty()) {
      // Only when set, so that runs started before the option existed still resume.
      m.put("nestedExponents", s.nestedExponents().toString());
    }
    if (s != null && !s.destroyerBudgets().isEmpty()) {
      // Only when set, so that runs started before the option existed still resume.
      m.put("destroyerBudgets", s.destroyerBudgets().toString());
    }
    if (s != null && !s.inserterBudgets().isEmpty()) {
      // Only when set, so that runs started before the option existed still resume.
      m.put("inserterBudgets", s.inserterBudgets().toString());
      m.put("lambdaInsertion", Float.toString(s.insertionWeight()));
    }
    if (ranking != null) {
      // Only when set, so that runs started before the option existed still resume.
      m.put("removalRanking", ranking.cellsLabel());
      m.put("lambdaRanking", Float.toString(ranking.weight()));
    }
    if (c.logitBound() > 0) {
      // Only when set, so that runs started before the option existed still resume.
      m.put("logitBound", Float.toString(c.logitBound()));
    }
    if (c.horizontalFlips()) {
      // Only when set, so that runs started before the option existed still resume.
      m.put("hflip", "true");
    }
    if (g.conditional()) {
      // Only for conditional runs, so that runs started before the option existed still resume.
      m.put("classes", Integer.toString(g.classes()));
      m.put("targetTopK", Integer.toString(c.targetTopK()));
      m.put("targetTemperature", Float.toString(c.targetTemperature()));
    }
    return m;
  }
}
