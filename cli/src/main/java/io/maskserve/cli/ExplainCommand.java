package io.maskserve.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.maskserve.client.ExplainRequests;
import io.maskserve.client.MaskserveClient;
import io.maskserve.client.MaskserveException;
import io.maskserve.client.Overlays;
import io.maskserve.cli.evaluate.MethodName;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.Method;
import io.maskserve.v1.Prediction;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve explain}: explains image files with a served model, writing {@code <stem>.json}
 * (the response in protobuf's JSON mapping, without the overlay bytes) and {@code <stem>.png} (the
 * overlay) per image into {@code --out}, and one summary line per image to stdout.
 */
@Command(
    name = "explain",
    header = "Explain image files with a served model; write JSON and overlay PNGs.",
    description =
        "Explain image files (PNG, JPEG, BMP) with a model served by a maskserve server. Writes"
            + " OUT/<stem>.json (the ExplainResponse in protobuf's JSON mapping, overlay left out) and"
            + " OUT/<stem>.png (removed pixels darkened) per image, and prints one summary line per"
            + " image. Stems that repeat get -2, -3, ... appended.")
final class ExplainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Mixin ConnectionOptions connection;

  @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "The maskserve server.")
  String server;

  @Option(names = "--model", required = true, paramLabel = "N", description = "Zoo model name.")
  String model;

  @Option(names = "--version", paramLabel = "V", description = "Model version (default: the newest with a generator).")
  String version;

  @Option(names = "--target-class", paramLabel = "K", description = "Class index to explain (default: the top-1).")
  Integer targetClass;

  @Option(names = "--samples", defaultValue = "0", paramLabel = "K", description = "Bernoulli masks to sample (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(
      names = "--seed",
      paramLabel = "S",
      converter = Converters.UnsignedLongConverter.class,
      description = "Sampler seed (default: the server picks one and reports it).")
  Long seed;

  @Option(names = "--threshold", paramLabel = "T", description = "Keep threshold of the mask (default: the generator's).")
  Float threshold;

  @Option(names = "--method", defaultValue = "generator", paramLabel = "M",
      description = "generator (default), gradient, smoothgrad, integrated-gradients, grad-cam, rise, occlusion, centre (the reference map peaked at the centre)"
          + " or random (a uniform random map, the chance level)"
          + " (the baselines run with their default options on the server).")
  String method;

  @Option(names = "--keep-fraction", paramLabel = "F",
      description = "Baselines: fraction of pixels the mask keeps, by saliency (default: the server's, 0.25).")
  Float keepFraction;

  @Option(names = "--skip-scoring",
      description = "Return the map and mask without classifying the masked image (one classifier call fewer;"
          + " the summary then prints no probability on the mask).")
  boolean skipScoring;

  private Method chosenMethod = Method.METHOD_GENERATOR;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
  Path out;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
  List<Path> images;

  @Override
  public Integer call() throws IOException {
    if (samples < 0) {
      throw new CliException("--samples must be >= 0");
    }
    try {
      chosenMethod = MethodName.parse(method).method();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--method: " + e.getMessage());
    }
    Files.createDirectories(out);
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    JsonFormat.Printer json = JsonFormat.printer();
    Set<String> usedStems = new HashSet<>();
    int failed = 0;
    try (MaskserveClient client = connection.client(server).build()) {
      for (Path image : images) {
        String stem = uniqueStem(image, usedStems);
        try {
          ExplainResponse r = client.explain(request(image));
          Path jsonFile = out.resolve(stem + ".json");
          Path pngFile = out.resolve(stem + ".png");
          Files.writeString(jsonFile, toJson(json, r) + "\n", StandardCharsets.UTF_8);
          Files.write(pngFile, overlay(image, r));
          stdout.println(summary(image, r, jsonFile, pngFile));
          stdout.flush();
        } catch (MaskserveException e) {
          if (e.code() != Status.Code.INVALID_ARGUMENT) {
            throw e; // the server, model or deadline: every other image would fail the same way
          }
          failed++;
          stderr.println(spec.qualifiedName() + ": " + image + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
          failed++;
          stderr.println(spec.qualifiedName() + ": " + image + ": " + e.getMessage());
        }
        stderr.flush();
      }
    }
    return failed == 0 ? 0 : 1;
  }

  private ExplainRequest request(Path image) {
    ExplainRequest.Builder b = ExplainRequests.fromImageFile(image, model).toBuilder().setIncludeOverlayPng(true);
    if (version != null) {
      b.setVersion(version);
    }
    if (targetClass != null) {
      b.setTargetClass(targetClass);
    }
    if (seed != null) {
      b.setSeed(seed);
    }
    if (threshold != null) {
      b.setThreshold(threshold);
    }
    b.setNumSamples(samples);
    b.setMethod(chosenMethod);
    if (keepFraction != null) {
      b.setKeepFraction(keepFraction);
    }
    b.setSkipScoring(skipScoring);
    return b.build();
  }

  private static String toJson(JsonFormat.Printer printer, ExplainResponse r) {
    try {
      return printer.print(r.toBuilder().clearOverlayPng().build());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's overlay, or one rendered here when the server sent none. */
  private static byte[] overlay(Path image, ExplainResponse r) throws IOException {
    if (!r.getOverlayPng().isEmpty()) {
      return r.getOverlayPng().toByteArray();
    }
    BufferedImage original = ImageIO.read(image.toFile());
    if (original == null) {
      throw new UncheckedIOException(new IOException("cannot decode " + image + " to draw the overlay"));
    }
    return Overlays.renderPng(original, r.getMask());
  }

  static String uniqueStem(Path image, Set<String> used) {
    String name = image.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String candidate = stem;
    for (int i = 2; !used.add(candidate); i++) {
      candidate = stem + "-" + i;
    }
    return candidate;
  }

  static String summary(Path image, ExplainResponse r, Path jsonFile, Path pngFile) {
    Prediction top = r.getPredictionsCount() > 0 ? r.getPredictions(0) : Prediction.getDefaultInstance();
    return String.format(
        Locale.ROOT,
        "%s: top-1 %s (p=%.3f); target %s: keep %.3f of pixels, p on mask %s (p original %.3f) -> %s, %s",
        image,
        top.getLabel(),
        top.getProbability(),
        r.getTargetLabel(),
        r.getMask().getKeepFraction(),
        r.getMask().hasTargetProbability()
            ? String.format(Locale.ROOT, "%.3f", r.getMask().getTargetProbability())
            : "not scored",
        r.getTargetOriginalProbability(),
        jsonFile,
        pngFile);
  }
}
