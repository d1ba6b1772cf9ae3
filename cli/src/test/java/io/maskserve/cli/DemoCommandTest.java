package io.maskserve.cli;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.cli.demo.DefaultZoo;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.v1.GeneratorInfo;
import io.maskserve.v1.ModelInfo;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code maskserve demo} end to end: a real zoo, an in-process server, real ONNX models. */
@Timeout(60)
class DemoCommandTest {

  static final int SIZE = 32;

  record Run(int exit, String out, String err, Exception failure) {}

  /** Through Main's command line and its error handlers. */
  static Run run(String... args) {
    CliTest.Run r = CliTest.run(args);
    return new Run(r.exit(), r.out(), r.err(), null);
  }

  /** A demo command reading the embedded zoo from {@code loader}; failures are captured, not printed. */
  static Run runEmbedded(ClassLoader loader, Path tempParent, String... args) {
    DemoCommand cmd = new DemoCommand(loader);
    cmd.tempParent = tempParent;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicReference<Exception> failure = new AtomicReference<>();
    CommandLine cl = new CommandLine(cmd);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, c, p) -> {
      failure.set(e);
      return 1;
    });
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString(), failure.get());
  }

  /** A tiny classifier {@code x [N,3,h,w] -> ReduceMean(H,W) -> MatMul [3,classes]} (as model-zoo's tests). */
  static byte[] classifier(int h, int w, int classes) {
    OnnxGraphBuilder b = new OnnxGraphBuilder("tiny_classifier");
    String x = b.floatInput("x", "N", 3, h, w);
    String pooled = b.node("ReduceMean", List.of(x), ints("axes", 2, 3), intAttr("keepdims", 0));
    float[] weights = new float[3 * classes];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (i % 7) * 0.1f - 0.3f;
    }
    b.nodeTo("MatMul", List.of(pooled, b.floatInitializer("w", weights, 3, classes)), "logits");
    b.floatOutput("logits", "N", classes);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  /** Registers {@code name:version}, a shapes classifier, with the stand-in generator if asked. */
  static void register(Path zoo, String name, String version, boolean withGenerator) {
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    InputSpec input = new InputSpec(SIZE, SIZE, ResizeMode.RESIZE, new float[] {0.5f, 0.5f, 0.5f},
        new float[] {0.25f, 0.25f, 0.25f});
    store.registerClassifier(new ClassifierRegistration(name, version, ShapeClass.labels(), input, "", "tiny test classifier"),
        new ByteArrayInputStream(classifier(SIZE, SIZE, ShapeClass.values().length)));
    if (withGenerator) {
      store.registerGenerator(new GeneratorRegistration(new ModelKey(name, version), 0.5f, "", "stand-in"),
          new ByteArrayInputStream(ReferenceGenerators.contrastGenerator(input, 8, 8)));
    }
  }

  static BufferedImage png(Path file) throws Exception {
    assertTrue(Files.isRegularFile(file), file + " exists");
    byte[] bytes = Files.readAllBytes(file);
    assertEquals((byte) 0x89, bytes[0], file + " is a PNG");
    assertEquals('P', bytes[1], file + " is a PNG");
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
    assertTrue(img != null, file + " decodes");
    return img;
  }

  static List<String> lines(String s) {
    return s.lines().filter(l -> !l.isBlank()).toList();
  }

  /** Checks the output directory of a run with {@code count} scenes and returns index.html. */
  static String checkOutput(Path out, int count, String modelAndVersion, Run r) throws Exception {
    Path index = out.toAbsolutePath().resolve("index.html");
    String html = Files.readString(index);
    List<String> written = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = String.format("%03d", i);
      for (String kind : List.of("image", "overlay", "keep-prob", "truth")) {
        String name = id + "-" + kind + ".png";
        BufferedImage img = png(out.resolve(name));
        assertEquals(SIZE, img.getWidth(), name);
        assertEquals(SIZE, img.getHeight(), name);
        written.add(name);
      }
      assertTrue(r.out().contains("scene " + id + ": true "), r.out());
    }
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(written.size() + 1, files.count(), "the images and index.html");
    }
    for (String name : written) {
      assertTrue(html.contains("src=\"" + name + "\""), name + " on the page");
    }
    assertTrue(html.contains(modelAndVersion), html);
    assertTrue(html.contains("image-rendering: pixelated"));
    assertEquals(count + 2, lines(r.out()).size(), r.out());
    assertTrue(r.out().contains("model " + modelAndVersion + ": " + count + " scenes of 32x32 px"), r.out());
    assertTrue(r.out().contains(", top-1 correct on "), r.out());
    assertTrue(r.out().contains("wrote " + index), r.out());
    return html;
  }

  @Test
  void explainsScenesWithAZooDirectory(@TempDir Path dir) throws Exception {
    Path zoo = dir.resolve("zoo");
    register(zoo, "alpha", "1", false); // sorts first but has no generator
    register(zoo, "shapes", "1", true);
    Path out = dir.resolve("demo-out");

    Run r = run("demo", "--zoo", zoo.toString(), "--out", out.toString(), "--count", "3", "--seed", "5");
    assertEquals(0, r.exit(), r.err());
    String html = checkOutput(out, 3, "shapes:1", r);
    assertTrue(html.contains("circle") && html.contains("square") && html.contains("triangle"), "class-balanced");

    // The ground truth is the scene's object mask: white somewhere, not everywhere.
    BufferedImage truth = png(out.resolve("000-truth.png"));
    int white = 0;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        white += truth.getRaster().getSample(x, y, 0) == 255 ? 1 : 0;
      }
    }
    assertTrue(white > 0 && white < SIZE * SIZE, "object pixels: " + white);

    // A user's zoo is left in place.
    assertTrue(Files.isRegularFile(zoo.resolve("shapes/1/manifest.json")));
    assertTrue(Files.isRegularFile(zoo.resolve("shapes/1/generator.onnx")));

    // Same seed, same scenes.
    Path again = dir.resolve("again");
    assertEquals(0, run("demo", "--zoo", zoo.toString(), "--out", again.toString(), "--count", "3", "--seed", "5").exit());
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(out.resolve("002-image.png")),
        Files.readAllBytes(again.resolve("002-image.png"))));
  }

  @Test
  void explainsTheEmbeddedZooAndDeletesItsCopy(@TempDir Path dir) throws Exception {
    Path zoo = dir.resolve("zoo");
    register(zoo, "synth", "1", true);
    Path jar = dir.resolve("embedded.jar");
    List<String> files = List.of("synth/1/manifest.json", "synth/1/classifier.onnx", "synth/1/generator.onnx");
    try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o)) {
      j.putNextEntry(new JarEntry("default-zoo/index.txt"));
      j.write(("# test\n" + String.join("\n", files) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (String f : files) {
        j.putNextEntry(new JarEntry("default-zoo/" + f));
        j.write(Files.readAllBytes(zoo.resolve(f)));
      }
    }
    Path temp = Files.createDirectories(dir.resolve("temp"));
    Path out = dir.resolve("out");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Run r = runEmbedded(loader, temp, "--out", out.toString(), "--count", "2");
      assertEquals(0, r.exit(), String.valueOf(r.failure()));
      checkOutput(out, 2, "synth:1", r);
    }
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(0, left.count(), "the extracted zoo is deleted");
    }
  }

  @Test
  void missingEmbeddedZooIsAClearError(@TempDir Path dir) throws Exception {
    Path temp = Files.createDirectories(dir.resolve("temp"));
    try (URLClassLoader nothing = new URLClassLoader(new URL[0], null)) {
      Run r = runEmbedded(nothing, temp, "--out", dir.resolve("out").toString());
      assertEquals(1, r.exit());
      CliException e = assertInstanceOf(CliException.class, r.failure());
      assertEquals("the embedded default zoo is missing from this build (no default-zoo/index.txt on the classpath);"
          + " use --zoo DIR with a zoo whose model has a generator", Main.describe(e));
    }
    assertTrue(Files.notExists(dir.resolve("out")), "nothing written");
  }

  @Test
  void zooWithoutAGeneratorAndBadOptionsAreOneLineErrors(@TempDir Path dir) throws Exception {
    Path zoo = dir.resolve("zoo");
    register(zoo, "shapes", "1", false);
    Path out = dir.resolve("out");

    Run r = run("demo", "--zoo", zoo.toString(), "--out", out.toString());
    assertEquals(1, r.exit());
    assertEquals(List.of("maskserve demo: no model in zoo " + zoo + " has a generator (models: shapes:1 without"
        + " generator); register one with 'maskserve zoo register-generator'"), lines(r.err()));

    r = run("demo", "--zoo", zoo.toString(), "--out", out.toString(), "--model", "nope");
    assertEquals(1, r.exit());
    assertEquals(1, lines(r.err()).size(), r.err());
    assertTrue(r.err().startsWith("maskserve demo: model nope is not in zoo "), r.err());

    r = run("demo", "--zoo", dir.resolve("missing").toString());
    assertEquals(1, r.exit());
    assertEquals(List.of("maskserve demo: zoo directory " + dir.resolve("missing") + " does not exist"), lines(r.err()));

    r = run("demo", "--count", "0");
    assertEquals(2, r.exit());
    assertEquals(1, lines(r.err()).size(), r.err());
    assertTrue(r.err().startsWith("maskserve demo: --count must be >= 1"), r.err());
    assertTrue(Files.notExists(out), "nothing written");
    assertTrue(Files.isRegularFile(zoo.resolve("shapes/1/manifest.json")), "the zoo is left alone");
  }

  @Test
  void picksTheFirstNameWithAGeneratorAndItsNewestVersion() {
    GeneratorInfo g = GeneratorInfo.newBuilder().setThreshold(0.35f).build();
    List<ModelInfo> models = List.of(
        ModelInfo.newBuilder().setName("alpha").setVersion("1").build(),
        ModelInfo.newBuilder().setName("beta").setVersion("2").setGenerator(g).build(),
        ModelInfo.newBuilder().setName("beta").setVersion("10").setGenerator(g).build(),
        ModelInfo.newBuilder().setName("beta").setVersion("11").build(),
        ModelInfo.newBuilder().setName("gamma").setVersion("1").setGenerator(g).build());
    ModelInfo m = DemoCommand.pickModel(models, null, "zoo z");
    assertEquals("beta:10", m.getName() + ":" + m.getVersion());
    assertEquals("gamma", DemoCommand.pickModel(models, "gamma", "zoo z").getName());
    CliException e = assertThrows(CliException.class, () -> DemoCommand.pickModel(models, "alpha", "zoo z"));
    assertTrue(e.getMessage().startsWith("model alpha has no version with a generator in zoo z (models: alpha:1"
        + " without generator, beta:2, "), e.getMessage());
    e = assertThrows(CliException.class, () -> DemoCommand.pickModel(List.of(), null, "zoo z"));
    assertEquals("no model in zoo z has a generator (the zoo is empty); register one with 'maskserve zoo"
        + " register-generator'", e.getMessage());
    assertEquals(32, DemoCommand.sceneSize(ModelInfo.newBuilder().setInputHeight(16).setInputWidth(16).build()));
    assertEquals(224, DemoCommand.sceneSize(ModelInfo.newBuilder().setInputHeight(224).setInputWidth(160).build()));
  }

  /** Once the lead ships the default zoo, the real thing: `maskserve demo` with no options but --out. */
  @Test
  void shippedDefaultZooRunsWhenPresent(@TempDir Path dir) throws Exception {
    List<String> shipped = DefaultZoo.indexEntries(Path.of("src/main/resources", DefaultZoo.RESOURCE_ROOT));
    assumeTrue(!shipped.isEmpty(), "no default model embedded yet");
    Run r = run("demo", "--out", dir.resolve("out").toString(), "--count", "2");
    assertEquals(0, r.exit(), r.err());
    // The demo explains the first model name (in name order) that has a generator.
    String model = shipped.stream().map(e -> e.substring(0, e.indexOf('/'))).sorted().findFirst().orElseThrow();
    assertTrue(r.out().contains("model " + model + ":"), r.out());
    assertTrue(Files.isRegularFile(dir.resolve("out/index.html")));
  }
}
