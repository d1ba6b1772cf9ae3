package io.maskserve.trainer.cli;

import ai.djl.Model;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.export.OnnxExporter;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.reinforce.GeneratorCheckpoint;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve export}: writes a generator checkpoint as ONNX and optionally attaches it to a
 * classifier version of a zoo directory.
 */
@Command(
    name = "export",
    header = "Export a trained generator checkpoint to ONNX; optionally register it.",
    description = "Reads the checkpoint written by 'train' (generator.properties, generator.params) and writes"
        + " the generator as ONNX (sigmoid and smoothing inside the graph). With --zoo and --model it is also"
        + " registered beside that classifier version.")
public final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  // Not mixinStandardHelpOptions: that adds -V/--version, which clashes with --version V.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
  Path checkpoint;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "ONNX file to write.")
  Path out;

  @Option(names = "--zoo", paramLabel = "DIR", description = "Register into this zoo directory.")
  Path zoo;

  @Option(names = "--model", paramLabel = "N", description = "Classifier name (with --zoo).")
  String model;

  @Option(names = "--version", paramLabel = "V", description = "Classifier version (default: the newest).")
  String version;

  @Option(names = "--threshold", defaultValue = "0.5", description = "Default keep threshold (default ${DEFAULT-VALUE}).")
  float threshold;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    GeneratorCheckpoint cp = GeneratorCheckpoint.read(checkpoint);
    Djl.engine();
    byte[] onnx;
    try (Model m = Model.newInstance("generator", "PyTorch")) {
      onnx = new OnnxExporter().export(cp.load(checkpoint, m), cp.height(), cp.width());
    }
    Files2.writeAtomically(out, onnx);
    w.printf(Locale.ROOT, "wrote %s (%d bytes)%n", out, onnx.length);
    if (zoo != null) {
      if (model == null) {
        throw new IllegalArgumentException("--zoo needs --model");
      }
      FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
      ModelManifest manifest = ZooModels.classifier(store, zoo, model, version);
      ModelManifest r = store.registerGenerator(new GeneratorRegistration(manifest.key(), threshold, "",
          "exported from " + checkpoint.getFileName()), new ByteArrayInputStream(onnx));
      w.printf(Locale.ROOT, "registered the generator of %s:%s in %s%n", r.name(), r.version(), zoo);
    }
    w.flush();
    return 0;
  }
}
