package io.maskserve.cli;

import com.google.protobuf.ByteString;
import io.maskserve.cli.demo.DefaultZoo;
import io.maskserve.cli.demo.DemoException;
import io.maskserve.cli.demo.DemoImages;
import io.maskserve.cli.demo.DemoPage;
import io.maskserve.client.MaskserveClient;
import io.maskserve.client.Overlays;
import io.maskserve.client.ProbabilityMaps;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.trainer.synth.Scene;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.Prediction;
import io.maskserve.zoo.ModelNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskserve demo}: starts a server in-process on the embedded default zoo (or {@code --zoo
 * DIR}), explains synthetic scenes with its model through the Java client, and writes the images
 * and a static {@code index.html} into {@code --out}.
 */
@Command(
    name = "demo",
    header = "Explain synthetic scenes with the embedded default model; write an HTML page.",
    description =
        "Extracts the model zoo embedded in maskserve into a temporary directory (or uses --zoo DIR),"
            + " starts a server on it in this process, draws synthetic shape scenes, explains each with"
            + " the zoo's model through the Java client and writes, per scene, NNN-image.png,"
            + " NNN-overlay.png (removed pixels darkened), NNN-keep-prob.png (keep probabilities, white = 1)"
            + " and NNN-truth.png (the target object, white), plus index.html showing them in a table."
            + " The server is stopped and the temporary zoo deleted at the end.")
final class DemoCommand implements Callable<Integer> {

  /** Smallest side scenes are drawn at (smaller classifier inputs get larger scenes, resized by the server). */
  static final int MIN_SCENE_SIZE = 32;

  /** Largest side scenes are drawn at. */
  static final int MAX_SCENE_SIZE = 1024;

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(names = "--out", defaultValue = "maskserve-demo", paramLabel = "DIR",
      description = "Output directory, created if missing (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--count", defaultValue = "8", paramLabel = "N", description = "Scenes to explain (default ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the scenes (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--port", defaultValue = "0", paramLabel = "P",
      description = "Port of the in-process server (default ${DEFAULT-VALUE}: a free one).")
  int port;

  @Option(names = "--zoo", paramLabel = "DIR",
      description = "Use this zoo directory instead of the embedded default zoo.")
  Path zoo;

  @Option(names = "--model", paramLabel = "N",
      description = "Model to explain (default: the first name, sorted, that has a generator).")
  String model;

  /** Where the embedded zoo is looked up. */
  private final ClassLoader embedded;

  /** Parent of the temporary zoo; null = the system's temporary directory (tests set it). */
  Path tempParent;

  DemoCommand() {
    this(DemoCommand.class.getClassLoader());
  }

  DemoCommand(ClassLoader embedded) {
    this.embedded = embedded;
  }

  @Override
  public Integer call() {
    if (count < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--count must be >= 1, got " + count);
    }
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
    }
    if (model != null && !ModelNames.isValid(model)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--model '" + model + "' is not a valid model name");
    }
    if (zoo != null && !Files.isDirectory(zoo)) {
      throw new CliException("zoo directory " + zoo + " does not exist");
    }
    PrintWriter stdout = spec.commandLine().getOut();
    try (Session session = new Session()) {
      Path zooDir;
      String zooName;
      if (zoo != null) {
        zooDir = zoo;
        zooName = "zoo " + zoo;
      } else {
        session.extracted = DefaultZoo.extract(embedded, DefaultZoo.RESOURCE_ROOT, tempParent);
        zooDir = session.extracted.dir();
        zooName = "the embedded default zoo";
      }
      session.server = MaskserveServer.start(ServerConfig.builder()
          .zoo(zooDir)
          .port(port)
          .shutdownGrace(Duration.ofSeconds(2))
          // Only this process talks to it: not reachable from the network, so no token is needed.
          .bindAddress(ServerConfig.LOOPBACK)
          .build());
      String target = ServerConfig.LOOPBACK + ":" + session.server.port();
      try (MaskserveClient client = MaskserveClient.forTarget(target).build()) {
        ModelInfo m = pickModel(client.listModels(), model, zooName);
        run(client, m, stdout);
      }
    } catch (DemoException e) {
      throw new CliException(e.getMessage(), e);
    }
    return 0;
  }

  private void run(MaskserveClient client, ModelInfo m, PrintWriter stdout) {
    Path dir = out.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    int size = sceneSize(m);
    SceneGenerator scenes = new SceneGenerator(SceneConfig.ofSize(size), seed);
    ShapeClass[] classes = ShapeClass.values();
    int digits = Math.max(3, String.valueOf(count - 1).length());
    List<DemoPage.Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // Class-balanced, so the default 8 scenes show every class.
      Scene scene = scenes.scene(i, classes[i % classes.length]);
      String id = String.format(Locale.ROOT, "%0" + digits + "d", i);
      byte[] png = DemoImages.png(scene.image());
      ExplainResponse r = client.explain(ExplainRequest.newBuilder()
          .setModel(m.getName())
          .setVersion(m.getVersion())
          .setEncoded(ByteString.copyFrom(png))
          .setRequestId("scene-" + id)
          .build());
      DemoPage.Row row = new DemoPage.Row(id, id + "-image.png", id + "-overlay.png", id + "-keep-prob.png",
          id + "-truth.png", scene.shape().label(), top1(r).getLabel(), top1(r).getProbability(),
          r.getMask().getKeepFraction(), r.getMask().getTargetProbability());
      write(dir.resolve(row.image()), png);
      write(dir.resolve(row.overlay()), Overlays.renderPng(scene.image(), r.getMask(), m.getResizeMode()));
      write(dir.resolve(row.keepProbability()),
          DemoImages.png(DemoImages.keepProbability(ProbabilityMaps.toFloatArray(r.getProbabilityMap()))));
      write(dir.resolve(row.truth()), DemoImages.png(DemoImages.objectMask(scene.mask(), size, size)));
      rows.add(row);
      stdout.println(String.format(Locale.ROOT,
          "scene %s: true %s, predicted %s (p=%.3f); keep %.3f of pixels, p on mask %.3f",
          id, row.trueClass(), row.predictedClass(), row.predictedProbability(), row.keepFraction(),
          row.maskedProbability()));
      stdout.flush();
    }
    boolean classesMatch = m.getLabelsList().containsAll(ShapeClass.labels());
    Path page = DemoPage.write(dir, new DemoPage.Header(m.getName(), m.getVersion(), m.getDescription(),
        m.getGenerator().getThreshold(), m.getInputWidth(), m.getInputHeight(), size, seed, classesMatch), rows);
    long correct = rows.stream().filter(DemoPage.Row::correct).count();
    String scored = classesMatch
        ? String.format(Locale.ROOT, "top-1 correct on %d of %d", correct, rows.size())
        : "top-1 not scored (the model's classes are not the scene shapes)";
    stdout.println(String.format(Locale.ROOT, "model %s:%s: %d scenes of %dx%d px (seed %d), %s",
        m.getName(), m.getVersion(), rows.size(), size, size, seed, scored));
    stdout.println("wrote " + page.toAbsolutePath());
    stdout.flush();
  }

  private static Prediction top1(ExplainResponse r) {
    return r.getPredictionsCount() > 0 ? r.getPredictions(0) : Prediction.getDefaultInstance();
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Side of the square scenes drawn for {@code m}: its larger input side, within [32, 1024]. */
  static int sceneSize(ModelInfo m) {
    int side = Math.max(m.getInputHeight(), m.getInputWidth());
    return Math.max(MIN_SCENE_SIZE, Math.min(MAX_SCENE_SIZE, side));
  }

  /**
   * The version to explain: of {@code requested} (or, when null, of the first name in sorted order
   * that has a generator) the newest version that has a generator.
   *
   * @throws CliException if there is no such version
   */
  static ModelInfo pickModel(List<ModelInfo> models, String requested, String zooName) {
    TreeMap<String, List<ModelInfo>> withGenerator = new TreeMap<>();
    for (ModelInfo m : models) {
      if (m.hasGenerator()) {
        withGenerator.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
      }
    }
    Comparator<ModelInfo> byVersion = Comparator.comparing(ModelInfo::getVersion, ModelNames.VERSION_ORDER);
    if (requested == null) {
      if (withGenerator.isEmpty()) {
        throw new CliException("no model in " + zooName + " has a generator ("
            + (models.isEmpty() ? "the zoo is empty" : "models: " + describe(models))
            + "); register one with 'maskserve zoo register-generator'");
      }
      return withGenerator.firstEntry().getValue().stream().max(byVersion).orElseThrow();
    }
    Optional<ModelInfo> chosen = withGenerator.getOrDefault(requested, List.of()).stream().max(byVersion);
    if (chosen.isPresent()) {
      return chosen.get();
    }
    boolean exists = models.stream().anyMatch(m -> m.getName().equals(requested));
    throw new CliException("model " + requested + (exists ? " has no version with a generator" : " is not")
        + " in " + zooName + " (models: " + (models.isEmpty() ? "none" : describe(models)) + ")");
  }

  private static String describe(List<ModelInfo> models) {
    return String.join(", ", models.stream()
        .map(m -> m.getName() + ":" + m.getVersion() + (m.hasGenerator() ? "" : " without generator"))
        .toList());
  }

  /**
   * The server and the temporary zoo of one run; closing stops the server and then deletes the zoo.
   * Also runs as a shutdown hook, so Ctrl-C cleans up too.
   */
  private static final class Session implements AutoCloseable {
    private final AtomicBoolean released = new AtomicBoolean();
    private final Thread hook = new Thread(this::release, "maskserve-demo-cleanup");
    volatile MaskserveServer server;
    volatile DefaultZoo.Extracted extracted;

    Session() {
      Runtime.getRuntime().addShutdownHook(hook);
    }

    private void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      try {
        if (server != null) {
          server.close();
        }
      } finally {
        if (extracted != null) {
          extracted.close();
        }
      }
    }

    @Override
    public void close() {
      release();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook has run or is running
      }
    }
  }
}
