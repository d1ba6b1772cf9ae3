package io.maskserve.trainer.cli;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.pipeline.SynthClassifierPipeline;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.SynthWriter;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve synth}: writes a labelled synthetic evaluation set ({@code OUT/<class>/<id>.png}
 * and {@code OUT/<class>/<id>.mask.png}, white = the target object) and, unless {@code
 * --no-train-classifier}, trains the synthetic classifier with DJL and exports it to ONNX
 * ({@code classifier.onnx} and {@code labels.txt} in {@code --classifier-out}, and registered in
 * {@code --zoo} when given).
 */
@Command(
    name = "synth",
    header = "Write synthetic scenes with object masks; train and export their classifier.",
    description = "Writes COUNT scenes (class-balanced, deterministic for the seed) as OUT/<class>/<id>.png with"
        + " OUT/<class>/<id>.mask.png (white = the target object). Unless --no-train-classifier, also trains"
        + " the synthetic classifier on other scenes of the same seed, reports its held-out accuracy and"
        + " exports it to ONNX.")
public final class SynthCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  // Not mixinStandardHelpOptions: that adds -V/--version, which clashes with --version V.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory of the scenes.")
  Path out;

  @Option(names = "--count", defaultValue = "500", paramLabel = "N", description = "Scenes to write (default ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--size", defaultValue = "64", paramLabel = "PX", description = "Scene side, divisible by 8 (default ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--pairs", defaultValue = "0", paramLabel = "F",
      description = "Share of two-object scenes (objects of two classes; the second object's mask is"
          + " <id>.<class>.mask.png), for class-conditional generators (default ${DEFAULT-VALUE}).")
  double pairs;

  @Option(names = "--train-classifier", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Train and export the synthetic classifier (default: yes).")
  boolean trainClassifier;

  @Option(names = "--classifier-out", paramLabel = "DIR",
      description = "Where classifier.onnx and labels.txt go (default: OUT.classifier beside OUT).")
  Path classifierOut;

  @Option(names = "--train-count", defaultValue = "6000", paramLabel = "N", description = "Training scenes per epoch (default ${DEFAULT-VALUE}).")
  int trainCount;

  @Option(names = "--epochs", defaultValue = "10", paramLabel = "N", description = "Classifier epochs, fresh scenes each (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--zoo", paramLabel = "DIR", description = "Also register the classifier in this zoo directory.")
  Path zoo;

  @Option(names = "--model", defaultValue = "synth", paramLabel = "N", description = "Zoo model name (default ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--version", defaultValue = "1", paramLabel = "V", description = "Zoo version (default ${DEFAULT-VALUE}).")
  String version;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    if (size % 8 != 0) {
      throw new IllegalArgumentException("--size must be divisible by 8, got " + size);
    }
    int written = new SynthWriter(new SceneGenerator(SceneConfig.ofSize(size), seed), pairs).write(out, count);
    w.printf(Locale.ROOT, "wrote %d scenes (%dx%d, seed %d) to %s%n", written, size, size, seed, out);
    if (!trainClassifier) {
      w.flush();
      return 0;
    }
    // Training scenes come from another seed than the written set, so the set stays unseen.
    SynthClassifierPipeline.Result r = SynthClassifierPipeline.run(
        new SynthClassifierPipeline.Options(size, trainCount, 1000, epochs, 16, seed ^ 0x5eedL));
    Path dir = classifierOut != null ? classifierOut
        : out.toAbsolutePath().resolveSibling(out.getFileName() + ".classifier");
    Files2.writeAtomically(dir.resolve("classifier.onnx"), r.onnx());
    Files2.writeAtomically(dir.resolve("labels.txt"),
        (String.join("\n", r.labels()) + "\n").getBytes(StandardCharsets.UTF_8));
    w.printf(Locale.ROOT, "classifier: held-out accuracy %.4f, %.0f img/s training -> %s%n",
        r.training().testAccuracy(), r.training().imagesPerSecond(), dir.resolve("classifier.onnx"));
    if (zoo != null) {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(env));
      ModelManifest m = store.registerClassifier(new ClassifierRegistration(model, version, r.labels(), r.input(), "",
          "synthetic shapes classifier (maskserve synth, seed " + seed + ")"), new ByteArrayInputStream(r.onnx()));
      w.printf(Locale.ROOT, "registered %s:%s in %s%n", m.name(), m.version(), zoo);
    }
    w.flush();
    return 0;
  }
}
