package io.maskserve.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.maskserve.v1.ClassifierMetadata;
import io.maskserve.v1.GeneratorMetadata;
import io.maskserve.v1.ListModelsResponse;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ResizeMode;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskserve zoo ...}: register, list and delete models, through a server or on a directory. */
@Command(
    name = "zoo",
    header = "Register, list and delete models (through a server or on a zoo directory).",
    mixinStandardHelpOptions = true,
    description =
        "Manage the model zoo: through a running server (--server HOST:PORT) or directly on a zoo"
            + " directory (--zoo DIR) that no running server uses.",
    subcommands = {
      ZooCommand.RegisterClassifier.class,
      ZooCommand.RegisterGenerator.class,
      ZooCommand.ListModels.class,
      ZooCommand.Delete.class,
      ZooCommand.MakeReferenceGenerator.class
    })
final class ZooCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing command (register-classifier, register-generator, list, delete or make-reference-generator)");
  }

  static String describe(ModelInfo m) {
    return m.getName() + ":" + m.getVersion() + " (input " + m.getInputHeight() + "x" + m.getInputWidth()
        + " " + ModelInfoFormat.resize(m.getResizeMode()) + ", " + m.getLabelsCount() + " classes, classifier sha256 "
        + m.getClassifier().getSha256() + ", " + ModelInfoFormat.size(m.getClassifier().getSizeBytes())
        + (m.hasGenerator() ? ", generator " + ModelInfoFormat.generator(m) : ", no generator") + ")";
  }

  @Command(
      name = "register-classifier",
      description = "Validate and publish a classifier version (ONNX, float [N,3,H,W] -> logits [N,C]).")
  static final class RegisterClassifier implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ZooTarget target;

    @Mixin ConnectionOptions connection;

    @Mixin S3ZooFlags s3;

    @Option(names = "--name", required = true, paramLabel = "N", description = "Model name ([A-Za-z0-9._-], up to 64).")
    String name;

    @Option(names = "--version", required = true, paramLabel = "V", description = "Version, e.g. 1 or 2024.06.")
    String version;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The classifier ONNX file.")
    Path onnx;

    @Option(names = "--labels", required = true, paramLabel = "FILE", description = "Class names, one per line, in logit order.")
    Path labels;

    @Option(
        names = "--input-size",
        required = true,
        paramLabel = "S|HxW",
        converter = Converters.SizeConverter.class,
        description = "Classifier input size: S (square) or HxW.")
    Converters.Size inputSize;

    @Option(
        names = "--mean",
        required = true,
        paramLabel = "R,G,B",
        converter = Converters.RgbConverter.class,
        description = "Per-channel mean of pixels in [0,1].")
    Converters.Rgb mean;

    @Option(
        names = "--std",
        required = true,
        paramLabel = "R,G,B",
        converter = Converters.RgbConverter.class,
        description = "Per-channel standard deviation of pixels in [0,1].")
    Converters.Rgb std;

    @Option(
        names = "--resize",
        defaultValue = "resize",
        paramLabel = "resize|shorter-center-crop",
        converter = Converters.ResizeModeConverter.class,
        description = "How images are brought to the input size (default ${DEFAULT-VALUE}).")
    ResizeMode resize;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text stored in the manifest.")
    String description;

    @Override
    public Integer call() {
      List<String> labelList = readLabels(labels);
      ClassifierMetadata.Builder m =
          ClassifierMetadata.newBuilder()
              .setName(name)
              .setVersion(version)
              .addAllLabels(labelList)
              .setInputHeight(inputSize.height())
              .setInputWidth(inputSize.width())
              .setResizeMode(resize)
              .setDescription(description == null ? "" : description);
      for (int c = 0; c < 3; c++) {
        m.addMean(mean.get(c)).addStd(std.get(c));
      }
      requireFile(onnx);
      try (ZooAccess zoo = target.open(connection, s3)) {
        ModelInfo info = zoo.registerClassifier(m.build(), onnx);
        spec.commandLine().getOut().println("registered classifier " + describe(info));
      }
      return 0;
    }
  }

  @Command(
      name = "register-generator",
      description = "Validate and attach a generator (ONNX, [N,3,H,W] -> keep probabilities [N,1,H',W']) to a classifier version.")
  static final class RegisterGenerator implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ZooTarget target;

    @Mixin ConnectionOptions connection;

    @Mixin S3ZooFlags s3;

    @Option(names = "--classifier", required = true, paramLabel = "N", description = "Name of the classifier it explains.")
    String classifier;

    @Option(names = "--version", required = true, paramLabel = "V", description = "Version of that classifier.")
    String version;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The generator ONNX file.")
    Path onnx;

    @Option(
        names = "--threshold",
        paramLabel = "T",
        description = "Default keep threshold of the deterministic mask, in (0,1) (default 0.35).")
    Float threshold;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text stored in the manifest.")
    String description;

    @Override
    public Integer call() {
      GeneratorMetadata.Builder m =
          GeneratorMetadata.newBuilder()
              .setClassifier(classifier)
              .setVersion(version)
              .setDescription(description == null ? "" : description);
      if (threshold != null) {
        if (!(threshold > 0f && threshold < 1f)) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--threshold must be in (0,1), got " + threshold);
        }
        m.setThreshold(threshold);
      }
      requireFile(onnx);
      try (ZooAccess zoo = target.open(connection, s3)) {
        ModelInfo info = zoo.registerGenerator(m.build(), onnx);
        spec.commandLine().getOut().println(
            "registered generator for " + info.getName() + ":" + info.getVersion() + " (output "
                + ModelInfoFormat.generator(info) + ", sha256 " + info.getGenerator().getArtifact().getSha256() + ", "
                + ModelInfoFormat.size(info.getGenerator().getArtifact().getSizeBytes()) + ")");
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List the published model versions.")
  static final class ListModels implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ZooTarget target;

    @Mixin ConnectionOptions connection;

    @Mixin S3ZooFlags s3;

    @Option(names = "--name", paramLabel = "N", description = "Only versions of this model.")
    String name;

    @Option(names = "--json", description = "Print a ListModelsResponse in protobuf's JSON mapping instead of a table.")
    boolean json;

    @Override
    public Integer call() throws InvalidProtocolBufferException {
      List<ModelInfo> models;
      try (ZooAccess zoo = target.open(connection, s3)) {
        models = zoo.list(name == null ? "" : name);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(JsonFormat.printer().print(ListModelsResponse.newBuilder().addAllModels(models).build()));
      } else if (models.isEmpty()) {
        out.println("no models");
      } else {
        ModelInfoFormat.table(models).forEach(out::println);
      }
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a model version, or only its generator.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ZooTarget target;

    @Mixin ConnectionOptions connection;

    @Mixin S3ZooFlags s3;

    @Option(names = "--name", required = true, paramLabel = "N", description = "Model name.")
    String name;

    @Option(names = "--version", required = true, paramLabel = "V", description = "Version.")
    String version;

    @Option(names = "--generator-only", description = "Delete only the generator, keeping the classifier version.")
    boolean generatorOnly;

    @Override
    public Integer call() {
      boolean deleted;
      try (ZooAccess zoo = target.open(connection, s3)) {
        deleted = zoo.delete(name, version, generatorOnly);
      }
      String what = (generatorOnly ? "generator of " : "") + name + ":" + version;
      if (!deleted) {
        throw new CliException("NOT_FOUND: " + what + " does not exist");
      }
      spec.commandLine().getOut().println("deleted " + what);
      return 0;
    }
  }

  @Command(
      name = "make-reference-generator",
      description =
          "Write a fixed, untrained stand-in generator ONNX for smoke tests. Its keep probability is"
              + " high where the image has local contrast: it explains nothing about any classifier."
              + " Trained generators replace it.")
  static final class MakeReferenceGenerator implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @Option(
        names = "--input-size",
        required = true,
        paramLabel = "S|HxW",
        converter = Converters.SizeConverter.class,
        description = "The classifier's input size.")
    Converters.Size inputSize;

    @Option(
        names = "--output-size",
        paramLabel = "S|HxW",
        converter = Converters.SizeConverter.class,
        description = "Size of the generator's output map; must divide the input size (default: the input size).")
    Converters.Size outputSize;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the ONNX file.")
    Path out;

    @Override
    public Integer call() {
      Converters.Size o = outputSize == null ? inputSize : outputSize;
      // The graph reads only the input size; mean/std are applied by the server before it runs.
      InputSpec spec0 =
          new InputSpec(inputSize.height(), inputSize.width(), io.maskserve.zoo.ResizeMode.RESIZE,
              new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});
      byte[] onnx = ReferenceGenerators.contrastGenerator(spec0, o.height(), o.width());
      try {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.write(out, onnx);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
      }
      spec.commandLine().getOut().println(
          String.format(Locale.ROOT, "wrote %s (%s, input %s, output %s): an untrained stand-in generator",
              out, ModelInfoFormat.size(onnx.length), inputSize, o));
      return 0;
    }
  }

  static List<String> readLabels(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read labels " + file + ": " + e.getMessage(), e);
    }
    // One label per line; surrounding whitespace and trailing empty lines are dropped.
    List<String> labels = lines.stream().map(String::strip).toList();
    int end = labels.size();
    while (end > 0 && labels.get(end - 1).isEmpty()) {
      end--;
    }
    labels = labels.subList(0, end);
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i).isEmpty()) {
        throw new CliException("labels file " + file + " has an empty line " + (i + 1));
      }
    }
    if (labels.isEmpty()) {
      throw new CliException("labels file " + file + " has no labels");
    }
    return labels;
  }

  static void requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CliException("no such file: " + file);
    }
  }
}
