package io.maskserve.cli.evaluate;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.client.MaskserveClient;
import io.maskserve.client.SaliencyMaps;
import io.maskserve.trainer.cli.TrainCommand;
import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.MapSimilarity;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ModelInfo;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.sanity.ParameterRandomizer;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The model parameter randomisation test (Adebayo et al. 2018, cascading randomisation): the
 * classifier's learnable layers are randomised from the logits down ({@link ParameterRandomizer}),
 * one more layer per level, and each method's maps of the same images (explaining the original
 * model's top-1) are compared with its maps on the trained classifier by Spearman rank correlation
 * (of the values and of their absolute values) and SSIM ({@link MapSimilarity}). A method that
 * explains the classifier must lose similarity as its layers are randomised.
 *
 * <p>An amortised explainer is a model trained against the classifier, so for the generator
 * every level means training a new generator against that level's classifier (with {@code train}'s
 * defaults, a short schedule); level 0 gets one trained with the same schedule, so the comparison
 * measures the classifier's randomisation, not the difference between a long and a short run.
 *
 * <p>Everything happens in a scratch zoo (a temporary directory holding one version per level)
 * served in this process, removed at the end: the user's zoo is never written.
 */
final class RandomisationTest {

  /**
   * What to run.
   *
   * @param methods the methods to test
   * @param levels cascade levels (numbers of randomised layers, 0 first), or empty for every level
   * @param trainData training images for the generator of each level (required when the generator
   *     is tested)
   * @param trainSteps optimiser steps of each level's generator
   * @param seed seed of the random parameters, of the generators' training and of the baselines
   * @param trainArgs more {@code maskserve train} options for each level's generator (the served
   *     generator's architecture: a feature decoder gets its {@code --decoder-taps} added unless
   *     given here)
   */
  record Settings(List<MethodName> methods, List<Integer> levels, Path trainData, int trainSteps, long seed,
      List<String> trainArgs) {

    Settings {
      trainArgs = List.copyOf(trainArgs);
    }

    Settings(List<MethodName> methods, List<Integer> levels, Path trainData, int trainSteps, long seed) {
      this(methods, levels, trainData, trainSteps, seed, List.of());
    }
  }

  /**
   * One method's similarity curves, a point per level.
   *
   * @param method the method
   * @param spearman mean Spearman correlation with the level-0 maps, with its interval
   * @param spearmanAbs the same on absolute values
   * @param ssim mean SSIM with the level-0 maps
   */
  record Curve(MethodName method, List<Bootstrap.Interval> spearman, List<Bootstrap.Interval> spearmanAbs,
      List<Bootstrap.Interval> ssim) {}

  /**
   * The test's outcome.
   *
   * @param levels the levels measured (numbers of randomised layers)
   * @param randomisedDownTo per level, the lowest randomised layer ("none" at level 0)
   * @param images images compared per level
   * @param curves one per method
   */
  record Result(List<Integer> levels, List<String> randomisedDownTo, int images, List<Curve> curves) {}

  private RandomisationTest() {}

  /**
   * Runs the test.
   *
   * @param model the served model (name, labels, input)
   * @param classifierOnnx its classifier
   * @param tensors the images, normalised {@code [3,H,W]}
   * @param targets the class explained for each image (the trained classifier's top-1)
   * @param log progress lines
   */
  static Result run(ModelInfo model, byte[] classifierOnnx, List<float[]> tensors, int[] targets,
      RequestOptions options, Settings settings, Duration timeout, Bootstrap bootstrap, PrintWriter log)
      throws IOException {
    Objects.requireNonNull(settings, "settings");
    boolean generator = settings.methods().contains(MethodName.GENERATOR);
    if (generator && settings.trainData() == null) {
      throw new EvaluateException("the randomisation test of the generator trains a generator per level:"
          + " give --randomisation-train DIR|LIST (training images, not the evaluation ones)");
    }
    ParameterRandomizer randomizer = ParameterRandomizer.of(ModelProto.parseFrom(classifierOnnx));
    int layers = randomizer.layers().size();
    List<Integer> levels = new ArrayList<>();
    if (settings.levels().isEmpty()) {
      for (int k = 0; k <= layers; k++) {
        levels.add(k);
      }
    } else {
      levels.add(0);
      settings.levels().stream().filter(k -> k > 0).sorted().distinct().forEach(levels::add);
    }
    for (int k : levels) {
      if (k > layers) {
        throw new EvaluateException("--randomisation-levels: the classifier has " + layers + " learnable layers, not " + k);
      }
    }
    List<String> downTo = new ArrayList<>();
    for (int k : levels) {
      downTo.add(k == 0 ? "none" : randomizer.layers().get(layers - k).node());
    }
    Path scratch = Files.createTempDirectory("maskserve-randomisation");
    try {
      FileSystemZooStore store = FileSystemZooStore.open(scratch, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
      InputSpec input = ServedModel.inputSpec(model);
      for (int k : levels) {
        byte[] onnx = randomizer.cascade(k, settings.seed()).toByteArray();
        store.registerClassifier(new ClassifierRegistration(model.getName(), version(k), model.getLabelsList(), input,
            "", "randomisation level " + k), new ByteArrayInputStream(onnx));
        if (generator) {
          log.printf(Locale.ROOT, "randomisation: training the generator of level %d/%d (%d steps)%n", k, layers,
              settings.trainSteps());
          log.flush();
          train(scratch, model, version(k), settings, scratch.resolve("run-" + k));
        } else {
          // The server serves versions that have a generator; the baselines never run it, so the
          // fixed stand-in (no training) is enough.
          store.registerGenerator(new GeneratorRegistration(new ModelKey(model.getName(), version(k)), null, "",
              "stand-in: the randomisation test of baselines does not use it"),
              new ByteArrayInputStream(ReferenceGenerators.contrastGenerator(input, input.height(), input.width())));
        }
      }
      // maps[method][level][image]
      List<MethodName> methods = settings.methods();
      float[][][][] maps = new float[methods.size()][levels.size()][][];
      try (ServerConnection conn = ServerConnection.inProcess(scratch, timeout)) {
        MaskserveClient client = conn.client();
        for (int l = 0; l < levels.size(); l++) {
          ModelInfo m = ServedModel.resolve(client, model.getName(), version(levels.get(l)), generator);
          Explainer explainer = new Explainer(client, m, options, 2);
          List<Explainer.Query> queries = new ArrayList<>();
          for (int i = 0; i < tensors.size(); i++) {
            queries.add(new Explainer.Query(tensors.get(i), targets[i]));
          }
          for (int mi = 0; mi < methods.size(); mi++) {
            log.printf(Locale.ROOT, "randomisation: level %d, %s on %d images%n", levels.get(l), methods.get(mi).cliName(),
                tensors.size());
            log.flush();
            List<ExplainResponse> responses = explainer.explain(methods.get(mi), queries);
            maps[mi][l] = new float[responses.size()][];
            int failed = 0;
            String firstError = "";
            for (int i = 0; i < responses.size(); i++) {
              ExplainResponse r = responses.get(i);
              if (r.hasError()) {
                failed++;
                firstError = firstError.isEmpty() ? r.getError().getMessage() : firstError;
              } else {
                maps[mi][l][i] = ChunkScorer.flatten(SaliencyMaps.toFloatArray(r));
              }
            }
            if (failed > 0) {
              log.printf(Locale.ROOT, "randomisation: level %d, %s: %d of %d requests failed (%s)%n", levels.get(l),
                  methods.get(mi).cliName(), failed, responses.size(), firstError);
              log.flush();
            }
          }
        }
      }
      List<Curve> curves = new ArrayList<>();
      for (int mi = 0; mi < methods.size(); mi++) {
        List<Bootstrap.Interval> sp = new ArrayList<>();
        List<Bootstrap.Interval> spAbs = new ArrayList<>();
        List<Bootstrap.Interval> ss = new ArrayList<>();
        for (int l = 0; l < levels.size(); l++) {
          List<Double> a = new ArrayList<>();
          List<Double> b = new ArrayList<>();
          List<Double> c = new ArrayList<>();
          for (int i = 0; i < tensors.size(); i++) {
            float[] ref = maps[mi][0][i];
            float[] now = maps[mi][l][i];
            if (ref == null || now == null) {
              continue; // a failed request: that image is left out of this level's means
            }
            a.add(MapSimilarity.spearman(ref, now));
            b.add(MapSimilarity.spearman(MapSimilarity.abs(ref), MapSimilarity.abs(now)));
            c.add(MapSimilarity.ssim(ref, now, model.getInputHeight(), model.getInputWidth()));
          }
          sp.add(bootstrap.mean(toArray(a)));
          spAbs.add(bootstrap.mean(toArray(b)));
          ss.add(bootstrap.mean(toArray(c)));
        }
        curves.add(new Curve(methods.get(mi), sp, spAbs, ss));
      }
      return new Result(List.copyOf(levels), List.copyOf(downTo), tensors.size(), curves);
    } finally {
      deleteTree(scratch);
    }
  }

  /** The scratch zoo's version name of level {@code k}. */
  static String version(int k) {
    return "rand-" + k;
  }

  /**
   * Trains and registers a generator for one level with {@code maskserve train}'s defaults and the
   * settings' extra options; a generator of the same kind as the served one (a decoder of the same
   * classifier tensors when it decodes some).
   */
  private static void train(Path zoo, ModelInfo model, String version, Settings s, Path out) {
    CommandLine cmd = new CommandLine(new TrainCommand());
    PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream());
    cmd.setOut(quiet);
    cmd.setErr(quiet);
    List<String> args = new ArrayList<>(List.of("--zoo", zoo.toString(), "--model", model.getName(), "--version",
        version, "--data", s.trainData().toString(), "--out", out.toString(), "--steps",
        Integer.toString(s.trainSteps()), "--seed", Long.toString(s.seed()), "--register"));
    args.addAll(s.trainArgs());
    if (model.getGenerator().getFeaturesCount() > 0 && !s.trainArgs().contains("--decoder-taps")) {
      args.add("--decoder-taps");
      args.add(String.join(",", model.getGenerator().getFeaturesList()));
    }
    int code = cmd.execute(args.toArray(String[]::new));
    if (code != 0) {
      throw new EvaluateException("training the generator of randomisation " + version + " failed (exit " + code
          + "); run `maskserve train` with the same --data to see why");
    }
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the scratch zoo " + root, e);
    }
  }
}
