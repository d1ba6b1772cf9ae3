package io.maskserve.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.util.JsonFormat;
import io.maskserve.client.Masks;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ListModelsResponse;
import io.maskserve.v1.ResizeMode;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The maskserve command line: parsing, error lines, the zoo on a directory and through a server. */
@Timeout(120)
public class CliTest {

  static final Path SHARED = Path.of(System.getProperty("maskserve.shared", "../../shared"));
  static final Path RESNET = SHARED.resolve("models/resnet20-cifar10");
  static final Path CIFAR = SHARED.resolve("datasets/cifar10-test");

  /** A finished command: exit code, stdout, stderr. */
  public record Run(int exit, String out, String err) {}

  /** Runs {@code maskserve args...} in this process, capturing its output (shared by the cli tests). */
  public static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static List<String> lines(String s) {
    return s.lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void everyCommandPrintsItsHelp() {
    List<List<String>> commands = new java.util.ArrayList<>();
    collect(Main.commandLine(), new java.util.ArrayList<>(), commands);
    assertTrue(commands.size() >= 14, "commands: " + commands);
    for (List<String> path : commands) {
      List<String> args = new java.util.ArrayList<>(path);
      args.add("--help");
      Run r = run(args.toArray(String[]::new));
      assertEquals(0, r.exit(), path + " --help: " + r.err());
      assertTrue(r.out().contains("Usage: maskserve"), path + " --help printed: " + r.out());
    }
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    for (var e : cl.getSubcommands().entrySet()) {
      List<String> sub = new java.util.ArrayList<>(path);
      sub.add(e.getKey());
      collect(e.getValue(), sub, out);
    }
  }

  @Test
  void usageErrorsAreOneLineAndExit2() {
    Run r = run("zoo", "list");
    assertEquals(2, r.exit());
    assertEquals(1, lines(r.err()).size(), r.err());
    assertTrue(r.err().startsWith("maskserve zoo list: Missing required argument"), r.err());

    r = run("zoo", "list", "--server", "localhost:1", "--zoo", "/tmp/x");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("mutually exclusive"), r.err());

    r = run("zoo", "register-classifier", "--zoo", "z", "--name", "a", "--version", "1", "--onnx", "a.onnx",
        "--labels", "l.txt", "--input-size", "32", "--mean", "0.1,0.2", "--std", "1,1,1");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("is not R,G,B"), r.err());

    r = run("frobnicate");
    assertEquals(2, r.exit());
    assertEquals(1, lines(r.err()).size(), r.err());
  }

  @Test
  void helpListsTheFixedSpellings() {
    Run r = run("zoo", "register-classifier", "--help");
    assertEquals(0, r.exit());
    for (String opt : List.of("--server", "--zoo", "--name", "--version", "--onnx", "--labels", "--input-size",
        "--mean", "--std", "--resize", "--description")) {
      assertTrue(r.out().contains(opt), opt);
    }
    assertEquals(0, run("serve", "--help").exit());
    assertEquals(0, run("--version").exit());
  }

  @Test
  void converters() {
    Converters.SizeConverter size = new Converters.SizeConverter();
    assertEquals(new Converters.Size(32, 32), size.convert("32"));
    assertEquals(new Converters.Size(224, 160), size.convert("224x160"));
    assertThrows(CommandLine.TypeConversionException.class, () -> size.convert("0"));
    assertThrows(CommandLine.TypeConversionException.class, () -> size.convert("12x"));
    assertEquals(new Converters.Rgb(0.485f, 0.456f, 0.406f), new Converters.RgbConverter().convert("0.485, 0.456,0.406"));
    assertEquals(ResizeMode.RESIZE_SHORTER_CENTER_CROP, new Converters.ResizeModeConverter().convert("shorter-center-crop"));
    assertEquals(-1L, new Converters.UnsignedLongConverter().convert("18446744073709551615"));
  }

  @Test
  void labelsFileDropsTrailingBlankLinesAndRejectsInnerOnes(@TempDir Path dir) throws Exception {
    Path ok = Files.writeString(dir.resolve("ok.txt"), "cat\r\n dog \n\n");
    assertEquals(List.of("cat", "dog"), ZooCommand.readLabels(ok));
    Path bad = Files.writeString(dir.resolve("bad.txt"), "cat\n\ndog\n");
    assertThrows(CliException.class, () -> ZooCommand.readLabels(bad));
  }

  @Test
  void stemsAreMadeUnique() {
    Set<String> used = new HashSet<>();
    assertEquals("0000", ExplainCommand.uniqueStem(Path.of("cat/0000.jpg"), used));
    assertEquals("0000-2", ExplainCommand.uniqueStem(Path.of("dog/0000.jpg"), used));
    assertEquals("0000-3", ExplainCommand.uniqueStem(Path.of("0000.png"), used));
    assertEquals("noext", ExplainCommand.uniqueStem(Path.of("noext"), used));
  }

  private static String[] registerResnet(String flag, String where, String version) {
    return new String[] {
      "zoo", "register-classifier", flag, where, "--name", "resnet20", "--version", version,
      "--onnx", RESNET.resolve("model.onnx").toString(), "--labels", RESNET.resolve("labels.txt").toString(),
      "--input-size", "32", "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225"
    };
  }

  @Test
  void zooOnADirectory(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(RESNET.resolve("model.onnx")), "shared data not present");
    Path zoo = dir.resolve("zoo");
    Path gen = dir.resolve("gen.onnx");

    Run r = run("zoo", "make-reference-generator", "--input-size", "32", "--output-size", "8", "--out", gen.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.size(gen) > 0);

    r = run(registerResnet("--zoo", zoo.toString(), "1"));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("registered classifier resnet20:1 "), r.out());
    assertTrue(Files.isRegularFile(zoo.resolve("resnet20/1/manifest.json")));

    r = run(registerResnet("--zoo", zoo.toString(), "1"));
    assertEquals(1, r.exit());
    assertEquals(1, lines(r.err()).size(), r.err());
    assertTrue(r.err().startsWith("maskserve zoo register-classifier: ALREADY_EXISTS: "), r.err());

    r = run("zoo", "register-generator", "--zoo", zoo.toString(), "--classifier", "resnet20", "--version", "1",
        "--onnx", gen.toString(), "--threshold", "0.4");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("8x8 threshold 0.40"), r.out());

    r = run("zoo", "list", "--zoo", zoo.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    ListModelsResponse.Builder listed = ListModelsResponse.newBuilder();
    JsonFormat.parser().merge(r.out(), listed);
    assertEquals(1, listed.getModelsCount());
    assertEquals(10, listed.getModels(0).getLabelsCount());
    assertEquals(8, listed.getModels(0).getGenerator().getOutputHeight());

    r = run("zoo", "delete", "--zoo", zoo.toString(), "--name", "resnet20", "--version", "1", "--generator-only");
    assertEquals(0, r.exit(), r.err());
    assertFalse(Files.exists(zoo.resolve("resnet20/1/generator.onnx")));
    r = run("zoo", "delete", "--zoo", zoo.toString(), "--name", "resnet20", "--version", "1");
    assertEquals(0, r.exit(), r.err());
    r = run("zoo", "delete", "--zoo", zoo.toString(), "--name", "resnet20", "--version", "1");
    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith("maskserve zoo delete: NOT_FOUND: "), r.err());
    assertEquals("no models", run("zoo", "list", "--zoo", zoo.toString()).out().strip());
  }

  @Test
  void registerAndExplainThroughAServer(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(RESNET.resolve("model.onnx")), "shared data not present");
    Path gen = dir.resolve("gen.onnx");
    assertEquals(0, run("zoo", "make-reference-generator", "--input-size", "32", "--out", gen.toString()).exit());
    try (MaskserveServer server = MaskserveServer.start(
        ServerConfig.builder().zoo(dir.resolve("zoo")).port(0).workerThreads(1).shutdownGrace(Duration.ZERO).build())) {
      String target = "localhost:" + server.port();
      Run r = run(registerResnet("--server", target, "1"));
      assertEquals(0, r.exit(), r.err());
      r = run("zoo", "register-generator", "--server", target, "--classifier", "resnet20", "--version", "1",
          "--onnx", gen.toString());
      assertEquals(0, r.exit(), r.err());
      r = run("zoo", "list", "--server", target);
      assertEquals(2, lines(r.out()).size(), r.out());

      Path notAnImage = Files.writeString(dir.resolve("broken.png"), "not an image");
      Path out = dir.resolve("out");
      r = run("explain", "--server", target, "--model", "resnet20", "--samples", "2", "--seed", "42",
          CIFAR.resolve("cat/0000.jpg").toString(), notAnImage.toString(), CIFAR.resolve("dog/0000.jpg").toString(),
          "--out", out.toString());
      assertEquals(1, r.exit(), "one image is broken: " + r.err());
      assertEquals(2, lines(r.out()).size(), r.out());
      assertTrue(r.out().contains("top-1 "), r.out());
      assertEquals(1, lines(r.err()).size(), r.err());
      assertTrue(r.err().contains("broken.png: INVALID_ARGUMENT"), r.err());

      for (String stem : List.of("0000", "0000-2")) {
        ExplainResponse.Builder resp = ExplainResponse.newBuilder();
        JsonFormat.parser().merge(Files.readString(out.resolve(stem + ".json")), resp);
        assertEquals("resnet20", resp.getModel());
        assertTrue(resp.getOverlayPng().isEmpty(), "overlay left out of the JSON");
        assertEquals(2, resp.getSamplesCount());
        assertEquals(42L, resp.getSeed());
        assertEquals(resp.getMask().getKeepFraction(), Masks.keepFraction(resp.getMask()), 1.0 / (32 * 32));
        assertTrue(ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(out.resolve(stem + ".png")))) != null);
      }
      assertFalse(Files.exists(out.resolve("broken.json")));

      // A baseline method through the same command: its saliency map and its top-fraction mask.
      Path grads = dir.resolve("grads");
      r = run("explain", "--server", target, "--model", "resnet20", "--method", "grad-cam", "--keep-fraction", "0.1",
          CIFAR.resolve("cat/0000.jpg").toString(), "--out", grads.toString());
      assertEquals(0, r.exit(), r.err());
      ExplainResponse.Builder cam = ExplainResponse.newBuilder();
      JsonFormat.parser().merge(Files.readString(grads.resolve("0000.json")), cam);
      assertEquals(io.maskserve.v1.Method.METHOD_GRAD_CAM, cam.getMethod());
      assertEquals(32, cam.getSaliencyMap().getHeight());
      assertEquals(0.1, Masks.keepFraction(cam.getMask()), 1.0 / (32 * 32));
      // --skip-scoring: the same mask, not scored.
      Path unscored = dir.resolve("unscored");
      r = run("explain", "--server", target, "--model", "resnet20", "--method", "grad-cam", "--keep-fraction", "0.1",
          "--skip-scoring", CIFAR.resolve("cat/0000.jpg").toString(), "--out", unscored.toString());
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("p on mask not scored"), r.out());
      ExplainResponse.Builder camUnscored = ExplainResponse.newBuilder();
      JsonFormat.parser().merge(Files.readString(unscored.resolve("0000.json")), camUnscored);
      assertTrue(cam.getMask().hasTargetProbability());
      assertFalse(camUnscored.getMask().hasTargetProbability());
      assertEquals(cam.getMask().getBits(), camUnscored.getMask().getBits());
      r = run("explain", "--server", target, "--model", "resnet20", "--method", "lime",
          CIFAR.resolve("cat/0000.jpg").toString(), "--out", grads.toString());
      assertEquals(2, r.exit(), r.err());
      assertTrue(r.err().contains("--method: unknown method 'lime' (use generator,gradient,smoothgrad,"
          + "integrated-gradients,grad-cam,rise,occlusion,centre,random)"), r.err());

      r = run("explain", "--server", target, "--model", "nope", CIFAR.resolve("cat/0000.jpg").toString(),
          "--out", out.toString());
      assertEquals(1, r.exit());
      assertEquals(1, lines(r.err()).size(), r.err());
      assertTrue(r.err().startsWith("maskserve explain: NOT_FOUND: "), r.err());
    }
  }

  @Test
  void autodiffWritesTheAugmentedClassifier(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("grad/resnet20-grad.onnx");
    Run r = run("autodiff", "--onnx", RESNET.resolve("model.onnx").toString(), "--out", out.toString(),
        "--score", "log-softmax");
    assertEquals(0, r.exit(), r.err());
    ai.onnx.proto.OnnxMl.GraphProto g = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out)).getGraph();
    assertEquals(List.of("input", "target"), g.getInputList().stream().map(v -> v.getName()).toList());
    assertEquals(List.of("logits", "input_grad"), g.getOutputList().stream().map(v -> v.getName()).toList());
    assertTrue(r.out().contains("input_grad"), r.out());

    Run bad = run("autodiff", "--onnx", RESNET.resolve("model.onnx").toString(), "--out", out.toString(),
        "--score", "softmax");
    assertEquals(2, bad.exit());
    assertEquals(1, lines(bad.err()).size(), bad.err());
  }

  @Test
  void unreachableServerIsOneLine(@TempDir Path dir) {
    Run r = run("zoo", "list", "--server", "localhost:1");
    assertEquals(1, r.exit());
    assertEquals(1, lines(r.err()).size(), r.err());
    assertTrue(r.err().startsWith("maskserve zoo list: UNAVAILABLE"), r.err());
  }

  @Test
  void readsLabelsLikeTheSharedFile() {
    assumeTrue(Files.isRegularFile(RESNET.resolve("labels.txt")), "shared data not present");
    List<String> labels = ZooCommand.readLabels(RESNET.resolve("labels.txt"));
    assertEquals(10, labels.size());
    assertArrayEquals(new String[] {"airplane", "automobile"}, labels.subList(0, 2).toArray());
  }
}
