package io.maskserve.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import io.maskserve.zoo.autodiff.UnsupportedOpException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve autodiff}: writes a classifier's ONNX model augmented with its backward pass
 * (inputs: the classifier's plus {@code target}; outputs: the classifier's plus {@code input_grad}
 * and, per {@code --layer T}, {@code T} and {@code T_grad}).
 */
@Command(
    name = "autodiff",
    header = "Write a classifier's ONNX model augmented with the gradient of a class score.",
    description =
        "Reads a classifier (ONNX opset 13-18, float [N,3,H,W] -> logits [N,C]) and writes a model with the"
            + " same inputs plus 'target' (int64 [N]) and the same outputs plus 'input_grad' (d score[target] /"
            + " d input) and, for every --layer T, 'T' and 'T_grad'. ONNX Runtime runs it like any model."
            + " Zero-padding Pad nodes are folded into the convolution they feed (the same values, faster).")
final class AutodiffCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(names = "--onnx", required = true, paramLabel = "IN", description = "The classifier ONNX file.")
  Path onnx;

  @Option(names = "--out", required = true, paramLabel = "OUT", description = "Where to write the augmented model.")
  Path out;

  @Option(
      names = "--score",
      defaultValue = "logit",
      paramLabel = "logit|log-softmax",
      description = "The differentiated score of the target class (default ${DEFAULT-VALUE}).")
  String score;

  @Option(
      names = "--layer",
      paramLabel = "TENSOR",
      description = "An intermediate tensor whose activation and gradient become outputs (repeatable),"
          + " e.g. the last convolution's output for Grad-CAM.")
  List<String> layers = new ArrayList<>();

  @Override
  public Integer call() {
    AutodiffOptions.Score s = switch (score.toLowerCase(Locale.ROOT)) {
      case "logit" -> AutodiffOptions.Score.LOGIT;
      case "log-softmax", "log_softmax", "logsoftmax" -> AutodiffOptions.Score.LOG_SOFTMAX;
      default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--score must be logit or log-softmax, got '" + score + "'");
    };
    if (!Files.isRegularFile(onnx)) {
      throw new CliException("no such file: " + onnx);
    }
    ModelProto model;
    try {
      CodedInputStream in = CodedInputStream.newInstance(Files.readAllBytes(onnx));
      in.setSizeLimit(Integer.MAX_VALUE);
      model = ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new CliException(onnx + " is not a readable ONNX model: " + e.getMessage(), e);
    }
    ModelProto augmented;
    try {
      augmented = Autodiff.augment(model, new AutodiffOptions(s, layers));
    } catch (UnsupportedOpException e) {
      throw new CliException(e.getMessage(), e);
    }
    byte[] bytes = augmented.toByteArray();
    try {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(out, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
    }
    List<String> outputs = augmented.getGraph().getOutputList().stream().map(v -> v.getName()).toList();
    spec.commandLine().getOut().println(String.format(Locale.ROOT, "wrote %s (%s, %d nodes, score %s): outputs %s",
        out, ModelInfoFormat.size(bytes.length), augmented.getGraph().getNodeCount(), score, String.join(", ", outputs)));
    return 0;
  }
}
