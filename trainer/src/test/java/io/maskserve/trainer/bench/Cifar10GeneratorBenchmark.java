package io.maskserve.trainer.bench;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.FileImages;
import io.maskserve.trainer.metrics.DeletionInsertion;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.reinforce.Objective;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.trainer.reinforce.OrtGradients;
import io.maskserve.trainer.reinforce.Paper;
import io.maskserve.trainer.reinforce.Reinforce;
import io.maskserve.trainer.reinforce.Trainer;
import io.maskserve.trainer.reinforce.TrainerConfig;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Issue 4's real-classifier benchmark: trains a generator for ResNet-20 (CIFAR-10) on the training
 * split of {@code ../shared/datasets/cifar10-test} (files 0000–0799 of every class) and measures
 * deletion and insertion AUC ({@link DeletionInsertion}, RISE semantics, 32 pixels per step) on
 * the evaluation split (0800–0999) against a random map and the vanilla gradient, with reference maps
 * (gradient × input, random and single-cell occlusion maps at the generator's grid) that show what a
 * map of that resolution can reach.
 *
 * <p>Usage: {@code bench/cifar10-generator.sh [steps] [eval images per class] [objective]}, the
 * objective one of {@code reinforce} (with the MuProp estimator, as {@code train}'s default),
 * {@code local} (reinforce with the LOCAL estimator) or {@code paper}. The generator has a 16×16
 * grid (2 px cells), the learning rate follows the cosine schedule.
 */
public final class Cifar10GeneratorBenchmark {

  private Cifar10GeneratorBenchmark() {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int evalPerClass = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    String objective = args.length > 2 ? args[2] : "reinforce";
    Path shared = Path.of(System.getProperty("maskserve.shared", "../shared"));
    Path modelDir = shared.resolve("models/resnet20-cifar10");
    Path images = shared.resolve("datasets/cifar10-test");
    byte[] onnx = Files.readAllBytes(modelDir.resolve("model.onnx"));
    List<String> labels = Files.readAllLines(modelDir.resolve("labels.txt")).stream().map(String::strip)
        .filter(s -> !s.isEmpty()).toList();
    InputSpec spec = new InputSpec(32, 32, ResizeMode.RESIZE, new float[] {0.485f, 0.456f, 0.406f},
        new float[] {0.229f, 0.224f, 0.225f});
    List<FileImages.Entry> train = new ArrayList<>();
    List<FileImages.Entry> eval = new ArrayList<>();
    for (int c = 0; c < labels.size(); c++) {
      for (int i = 0; i < 1000; i++) {
        Path f = images.resolve(labels.get(c)).resolve(String.format(Locale.ROOT, "%04d.jpg", i));
        if (i < 800) {
          train.add(new FileImages.Entry(f, c));
        } else if (i < 800 + evalPerClass) {
          eval.add(new FileImages.Entry(f, c));
        }
      }
    }
    FileImages trainSet = new FileImages(train, spec);
    FileImages evalSet = new FileImages(eval, spec);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int threads = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "machine: %d cores; train %d images, eval %d images, %d steps, objective %s,"
        + " lambda-area %s, initial keep %s, lambda-deletion %s, output level %s, nested exponents %s,"
        + " destroyer budgets %s%n", threads,
        trainSet.size(), evalSet.size(), steps, objective, System.getProperty("lambda.area", "2.0"),
        System.getProperty("initial.keep", "0.9"), System.getProperty("lambda.deletion", "0"),
        System.getProperty("output.level", "1"), System.getProperty("nested.exponents", "none"),
        System.getProperty("destroyer.budgets", "none"));
    GeneratorConfig gc = new GeneratorConfig(16, 3, 1, Integer.parseInt(System.getProperty("output.level", "1")), 1);
    // -Dlambda.area, -Dinitial.keep, -Dlambda.deletion, -Doutput.level, -Dnested.exponents=1,2,4 and
    // -Ddestroyer.budgets=0.05,0.1,0.2 (BENCH_JAVA_OPTS) override the train command's defaults.
    float lambdaDeletion = Float.parseFloat(System.getProperty("lambda.deletion", "0"));
    float lambdaArea = Float.parseFloat(System.getProperty("lambda.area", "2.0"));
    float initialKeep = Float.parseFloat(System.getProperty("initial.keep", "0.9"));
    java.util.List<Float> nested = floats(System.getProperty("nested.exponents"));
    TrainerConfig config = new TrainerConfig(gc, steps, 16, 1e-3f, initialKeep, 1, true);
    try (OrtClassifier classifier = new OrtClassifier(env, onnx, 32, 32, threads, 512);
        OrtGradients logit = new OrtGradients(env, onnx, AutodiffOptions.Score.LOGIT, 32, 32, threads, 256);
        OrtGradients logSoftmax = new OrtGradients(env, onnx, AutodiffOptions.Score.LOG_SOFTMAX, 32, 32, threads,
            256)) {
      Objective obj = objective.equals("paper") ? new Paper(classifier, logit)
          : new Reinforce(new Reinforce.Settings(8, lambdaArea, 0.3f, 0.01f, Reinforce.Estimator.valueOf(
              objective.equals("reinforce") ? "MUPROP" : objective.toUpperCase(Locale.ROOT)), 1f, 0.5f,
              lambdaDeletion, nested, floats(System.getProperty("destroyer.budgets"))),
              classifier, logSoftmax);
      String trained = System.getProperty("generator.onnx");
      if (trained != null) {
        // -Dgenerator.onnx=FILE: evaluate that generator (e.g. the shipped one), no training.
        int[] all = new int[evalSet.size()];
        for (int i = 0; i < all.length; i++) {
          all[i] = i;
        }
        float[] pixels = evalSet.gather(all);
        float[][] maps = runGenerator(env, Files.readAllBytes(Path.of(trained)), pixels, all.length);
        evaluate(classifier, logit, pixels, all.length, maps, (int) Math.round(Math.sqrt(maps[0].length)));
        return;
      }
      long t0 = System.nanoTime();
      float[][] maps;
      try (Trainer trainer = new Trainer(config, obj, classifier, trainSet)) {
        while (trainer.stepsDone() < steps) {
          var s = trainer.step();
          if (s.step() % Math.max(1, steps / 10) == 0) {
            System.out.printf(Locale.ROOT, "step %d  reward %.3f  log p %.3f  keep %.3f  %.0f s%n", s.step(),
                s.meanReward(), s.meanLogProb(), s.meanKeep(), (System.nanoTime() - t0) / 1e9);
          }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "trained %d steps in %.1f min%n", steps, trainSeconds / 60);
        int[] all = new int[evalSet.size()];
        for (int i = 0; i < all.length; i++) {
          all[i] = i;
        }
        float[] pixels = evalSet.gather(all);
        maps = trainer.keepProbabilities(pixels, all.length);
        parity(env, trainer, pixels, all.length, maps);
        evaluate(classifier, logit, pixels, all.length, maps, gc.outputSide(32));
      }
    }
  }

  /** A comma-separated list of floats; empty when {@code csv} is null. */
  private static List<Float> floats(String csv) {
    return csv == null ? List.of() : java.util.Arrays.stream(csv.split(",")).map(String::strip).map(Float::valueOf)
        .toList();
  }

  /** Keep-probability maps of an exported generator on {@code n} images. */
  private static float[][] runGenerator(OrtEnvironment env, byte[] onnx, float[] pixels, int n) throws Exception {
    float[][] maps = new float[n][];
    try (ai.onnxruntime.OrtSession s = env.createSession(onnx, new ai.onnxruntime.OrtSession.SessionOptions())) {
      int batch = 100;
      for (int start = 0; start < n; start += batch) {
        int m = Math.min(batch, n - start);
        java.nio.FloatBuffer in = java.nio.FloatBuffer.wrap(pixels, start * 3 * 1024, m * 3 * 1024).slice();
        try (ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env, in, new long[] {m, 3, 32, 32});
            ai.onnxruntime.OrtSession.Result r = s.run(java.util.Map.of(
                io.maskserve.trainer.export.OnnxExporter.GENERATOR_INPUT, t))) {
          java.nio.FloatBuffer out = ((ai.onnxruntime.OnnxTensor) r.get(0)).getFloatBuffer();
          int per = out.remaining() / m;
          for (int i = 0; i < m; i++) {
            maps[start + i] = new float[per];
            out.get(maps[start + i]);
          }
        }
      }
    }
    return maps;
  }

  /** The exported ONNX generator against the DJL one on the real held-out images. */
  private static void parity(OrtEnvironment env, Trainer trainer, float[] pixels, int n, float[][] maps)
      throws Exception {
    byte[] onnx = new io.maskserve.trainer.export.OnnxExporter().export(trainer.generator(), 32, 32);
    float[][] exported = runGenerator(env, onnx, pixels, n);
    double max = 0;
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < maps[i].length; p++) {
        max = Math.max(max, Math.abs(maps[i][p] - exported[i][p]));
      }
    }
    System.out.printf(Locale.ROOT, "export parity on %d real images: max |ONNX - DJL| = %.2e (%s 1e-4)%n", n, max,
        max <= 1e-4 ? "<=" : "ABOVE");
  }

  /**
   * Per cell of a {@code side × side} grid, {@code −log p(target)} of the image with that cell alone
   * removed (set to 0 in normalised space): the single-cell removal effect, one classifier pass each.
   */
  private static float[] occlusion(OrtClassifier classifier, float[] image, int target, int side) throws Exception {
    int cells = side * side;
    float[] masks = new float[cells * cells];
    java.util.Arrays.fill(masks, 1f);
    for (int c = 0; c < cells; c++) {
      masks[c * cells + c] = 0f;
    }
    int[] targets = new int[cells];
    java.util.Arrays.fill(targets, target);
    double[] lp = classifier.logProbabilities(
        new io.maskserve.trainer.reinforce.Objective.Batch(image, 1, 32, 32, new int[] {target})
            .masked(masks, cells, side, side), cells, targets);
    float[] out = new float[cells];
    for (int c = 0; c < cells; c++) {
      out[c] = (float) -lp[c];
    }
    return out;
  }

  private static void evaluate(OrtClassifier classifier, OrtGradients logit, float[] pixels, int n, float[][] maps,
      int side) throws Exception {
    int plane = 32 * 32;
    int[] targets = classifier.top1(pixels, n);
    float[] grad = logit.run(pixels, n, targets).inputGrad();
    DeletionInsertion metric = new DeletionInsertion(classifier, 32, 32, 32);
    String[] names = {"generator (keep probability)", "random map (per pixel)", "vanilla gradient (max |d logit/dx|)",
        "random map at the generator's grid", "generator x gradient (guided)", "gradient x input (sum_c x*g, signed)",
        "gradient x input summed over the generator's cells", "occlusion of the generator's cells (one pass each)"};
    int methods = names.length;
    double[][] sums = new double[methods][2];
    int[][] genWins = new int[methods][2];
    SplittableRandom rng = new SplittableRandom(7);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      float[] image = java.util.Arrays.copyOfRange(pixels, i * 3 * plane, (i + 1) * 3 * plane);
      float[][] sal = new float[methods][plane];
      int f = 32 / side;
      float[] randomCells = new float[side * side];
      for (int c = 0; c < randomCells.length; c++) {
        randomCells[c] = (float) rng.nextDouble();
      }
      for (int p = 0; p < plane; p++) {
        sal[0][p] = maps[i][(p / 32 / f) * side + (p % 32) / f];
        sal[1][p] = (float) rng.nextDouble();
        float g = 0;
        for (int c = 0; c < 3; c++) {
          g = Math.max(g, Math.abs(grad[i * 3 * plane + c * plane + p]));
        }
        sal[2][p] = g;
        sal[3][p] = randomCells[(p / 32 / f) * side + (p % 32) / f];
        sal[4][p] = sal[0][p] * g;
        float xg = 0;
        for (int c = 0; c < 3; c++) {
          xg += image[c * plane + p] * grad[i * 3 * plane + c * plane + p];
        }
        sal[5][p] = xg;
      }
      // Reference maps at the generator's own grid: what a map of that resolution can reach.
      float[] cellXg = new float[side * side];
      for (int p = 0; p < plane; p++) {
        cellXg[(p / 32 / f) * side + (p % 32) / f] += sal[5][p];
      }
      float[] cellOcclusion = occlusion(classifier, image, targets[i], side);
      for (int p = 0; p < plane; p++) {
        sal[6][p] = cellXg[(p / 32 / f) * side + (p % 32) / f];
        sal[7][p] = cellOcclusion[(p / 32 / f) * side + (p % 32) / f];
      }
      DeletionInsertion.Auc[] auc = new DeletionInsertion.Auc[methods];
      for (int m = 0; m < methods; m++) {
        auc[m] = metric.evaluate(image, sal[m], targets[i]);
        sums[m][0] += auc[m].deletion();
        sums[m][1] += auc[m].insertion();
      }
      for (int m = 1; m < methods; m++) {
        genWins[m][0] += auc[0].deletion() < auc[m].deletion() ? 1 : 0;
        genWins[m][1] += auc[0].insertion() > auc[m].insertion() ? 1 : 0;
      }
    }
    System.out.printf(Locale.ROOT, "evaluated %d held-out images in %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
    System.out.println("| map | deletion AUC (lower better) | insertion AUC (higher better) |");
    System.out.println("| --- | ---: | ---: |");
    for (int m = 0; m < methods; m++) {
      System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f |%n", names[m], sums[m][0] / n, sums[m][1] / n);
    }
    for (int m = 1; m < methods; m++) {
      System.out.printf(Locale.ROOT, "generator beats %s on %.1f%% of images (deletion), %.1f%% (insertion)%n",
          names[m], 100.0 * genWins[m][0] / n, 100.0 * genWins[m][1] / n);
    }
  }
}
