package io.maskserve.trainer.bench;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.reinforce.Evaluation;
import io.maskserve.trainer.reinforce.Objective;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.trainer.reinforce.OrtGradients;
import io.maskserve.trainer.reinforce.Paper;
import io.maskserve.trainer.reinforce.Reinforce;
import io.maskserve.trainer.reinforce.Trainer;
import io.maskserve.trainer.reinforce.TrainerConfig;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.SynthTask;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The objectives and estimators side by side on the synthetic benchmark: the same classifier,
 * training scenes (seed 11), steps, generator and seed for each; measured on held-out scenes (seed
 * 99) with known object masks: pointing game (TorchRay semantics,
 * 4.3 px tolerance at 64 px), IoU and keep fraction of the
 * deterministic mask at the objective's threshold, p(target | masked)/p(target | original).
 *
 * <p>Usage: {@code bench/synth-objectives.sh CLASSIFIER.onnx [steps] [variants...]}, variants
 * among {@code reinforce muprop local paper} (default all).
 */
public final class SynthObjectivesBenchmark {

  private SynthObjectivesBenchmark() {}

  public static void main(String[] args) throws Exception {
    byte[] onnx = Files.readAllBytes(Path.of(args[0]));
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 1200;
    List<String> variants = args.length > 2 ? List.of(args).subList(2, args.length)
        : List.of("reinforce", "muprop", "local", "paper");
    int size = 64;
    LabelledImages train = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(size), 11), 0, 4000,
        SynthTask.inputSpec(size));
    LabelledImages eval = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(size), 99), 0, 500,
        SynthTask.inputSpec(size));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int threads = Runtime.getRuntime().availableProcessors();
    GeneratorConfig gc = new GeneratorConfig(16, 3, 1, 2, 1);
    System.out.printf(Locale.ROOT, "machine: %d cores; %d training scenes, %d held-out, %d steps, batch 16,"
        + " generator %s%n", threads, train.size(), eval.size(), steps, gc);
    System.out.println("| objective | pointing | IoU | keep | p ratio | train min |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
    try (OrtClassifier classifier = new OrtClassifier(env, onnx, size, size, threads, 512);
        OrtGradients logSoftmax = new OrtGradients(env, onnx, AutodiffOptions.Score.LOG_SOFTMAX, size, size,
            threads, 256);
        OrtGradients logit = new OrtGradients(env, onnx, AutodiffOptions.Score.LOGIT, size, size, threads, 256)) {
      int[] targets = classifier.top1(eval.pixels(), eval.size());
      for (String v : variants) {
        Objective obj = switch (v) {
          case "paper" -> new Paper(classifier, logit);
          case "muprop" -> new Reinforce(settings(Reinforce.Estimator.MUPROP, 8), classifier, logSoftmax);
          case "local" -> new Reinforce(settings(Reinforce.Estimator.LOCAL, 4), classifier, logSoftmax);
          case "reinforce" -> new Reinforce(settings(Reinforce.Estimator.REINFORCE, 8), classifier, null);
          default -> throw new IllegalArgumentException("unknown variant " + v);
        };
        long t0 = System.nanoTime();
        try (Trainer t = new Trainer(new TrainerConfig(gc, steps, 16, 1e-3f, 0.9f, 1), obj, classifier, train)) {
          t.train(null);
          double minutes = (System.nanoTime() - t0) / 60e9;
          int side = gc.outputSide(size);
          float[][] maps = t.keepProbabilities(eval.pixels(), eval.size());
          Evaluation.Result r = Evaluation.evaluate(maps, side, side, eval, targets, classifier, obj.threshold(),
              Evaluation.defaultTolerance(size));
          System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.1f |%n", v, r.pointingRate(),
              r.meanIou(), r.meanKeep(), r.probabilityRatio(), minutes);
        }
      }
    }
  }

  private static Reinforce.Settings settings(Reinforce.Estimator e, int samples) {
    return new Reinforce.Settings(samples, 1.2f, 0.3f, 0.01f, e, 1f, 0.5f);
  }
}
