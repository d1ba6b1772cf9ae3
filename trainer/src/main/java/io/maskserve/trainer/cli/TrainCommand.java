package io.maskserve.trainer.cli;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.export.OnnxExporter;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.reinforce.Evaluation;
import io.maskserve.trainer.reinforce.GeneratorCheckpoint;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.trainer.reinforce.StepStats;
import io.maskserve.trainer.reinforce.Trainer;
import io.maskserve.trainer.reinforce.TrainerConfig;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve train}: trains a generator for a zoo classifier with the {@code reinforce}
 * objective on an image folder, writes the checkpoint, {@code generator.onnx} and {@code
 * metrics.csv} into {@code --out}, and with {@code --register} attaches the generator to the
 * classifier version in the zoo.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    header = "Train a generator for a zoo classifier (policy gradient).",
    description = "Trains a generator for classifier --model (version --version, default the newest) of the zoo"
        + " directory --zoo on the images of --data (one subfolder per class label), with the reinforce"
        + " objective. Writes OUT/generator.properties + OUT/generator.params (checkpoint), OUT/generator.onnx"
        + " and OUT/metrics.csv. When --data holds <id>.mask.png object masks (maskserve synth), also prints"
        + " the pointing game, IoU and keep fraction on it.")
public final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo directory.")
  Path zoo;

  @Option(names = "--model", required = true, paramLabel = "N", description = "Classifier name in the zoo.")
  String model;

  @Option(names = "--version", paramLabel = "V", description = "Classifier version (default: the newest).")
  String version;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Training images, DIR/<label>/<file>.")
  Path data;

  @Option(names = "--eval", paramLabel = "DIR", description = "Evaluation images with masks (default: none).")
  Path eval;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
  Path out;

  @Option(names = "--steps", defaultValue = "500", description = "Optimiser steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch-size", defaultValue = "16", description = "Images per step (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "8", description = "Masks sampled per image, >= 2 (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
  float lr;

  @Option(names = "--lambda-area", defaultValue = "1.5", description = "Area weight of the reward (default ${DEFAULT-VALUE}).")
  float lambdaArea;

  @Option(names = "--lambda-tv", defaultValue = "0.3", description = "TV weight of the reward (default ${DEFAULT-VALUE}).")
  float lambdaTv;

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

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threshold", defaultValue = "0.5", description = "Keep threshold of the deterministic mask (default ${DEFAULT-VALUE}).")
  float threshold;

  @Option(names = "--register", description = "Attach the generator to the classifier version in the zoo.")
  boolean register;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(env));
    ModelManifest manifest = (version == null ? store.latest(model, false) : store.get(new ModelKey(model, version)))
        .orElseThrow(() -> new IllegalArgumentException("no classifier " + model
            + (version == null ? "" : ":" + version) + " in " + zoo));
    byte[] classifierBytes = Files.readAllBytes(store.localFile(manifest, manifest.classifier()));
    int h = manifest.input().height();
    int wd = manifest.input().width();
    LabelledImages train = ImageSets.folder(data, manifest.labels(), manifest.input());
    GeneratorConfig gc = new GeneratorConfig(width, depth, blocks, outputLevel, smooth);
    TrainerConfig config = new TrainerConfig(gc, steps, batchSize, samples, lr, lambdaArea, lambdaTv, entropy, seed);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    StringBuilder csv = new StringBuilder("step,reward,log_p,keep,loss,images_per_second\n");
    try (OrtClassifier classifier = new OrtClassifier(env, classifierBytes, h, wd, threads, 512);
        Trainer trainer = new Trainer(config, classifier, train)) {
      w.printf(Locale.ROOT, "training on %d images of %s:%s, %d steps%n", train.size(), manifest.name(),
          manifest.version(), steps);
      w.flush();
      int every = Math.max(1, steps / 20);
      List<StepStats> stats = trainer.train(s -> {
        csv.append(String.format(Locale.ROOT, "%d,%.5f,%.5f,%.5f,%.6f,%.1f%n", s.step(), s.meanReward(),
            s.meanLogProb(), s.meanKeep(), s.loss(), s.imagesPerSecond()));
        if (s.step() % every == 0 || s.step() == steps) {
          w.printf(Locale.ROOT, "step %d/%d  reward %.3f  log p %.3f  keep %.3f  %.0f img/s%n", s.step(), steps,
              s.meanReward(), s.meanLogProb(), s.meanKeep(), s.imagesPerSecond());
          w.flush();
        }
      });
      new GeneratorCheckpoint(gc, h, wd).write(out, trainer.generator());
      Files2.writeAtomically(out.resolve("metrics.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
      byte[] onnx = new OnnxExporter().generator(trainer.generator(), h, wd);
      Files2.writeAtomically(out.resolve("generator.onnx"), onnx);
      w.printf(Locale.ROOT, "wrote %s (%d steps)%n", out.resolve("generator.onnx"), stats.size());
      if (eval != null) {
        LabelledImages ev = ImageSets.folder(eval, manifest.labels(), manifest.input());
        if (ev.masks() == null) {
          throw new IllegalArgumentException("--eval " + eval + " has no <id>.mask.png object masks");
        }
        int[] targets = classifier.top1(ev.pixels(), ev.size());
        int side = gc.outputSide(h);
        float[][] maps = trainer.keepProbabilities(ev.pixels(), ev.size());
        Evaluation.Result r = Evaluation.evaluate(maps, side, gc.outputSide(wd), ev, targets, classifier, threshold, 2);
        w.printf(Locale.ROOT, "eval on %d images: pointing %.3f (uniform map %.3f), IoU %.3f, keep %.3f,"
            + " p(masked)/p(original) %.3f%n", ev.size(), r.pointingRate(), r.uniformPointingRate(), r.meanIou(),
            r.meanKeep(), r.probabilityRatio());
      }
      if (register) {
        ModelManifest m = store.registerGenerator(new GeneratorRegistration(manifest.key(), threshold, "",
            "reinforce, " + steps + " steps, seed " + seed), new ByteArrayInputStream(onnx));
        w.printf(Locale.ROOT, "registered the generator of %s:%s in %s%n", m.name(), m.version(), zoo);
      }
    }
    w.flush();
    return 0;
  }
}
