package io.maskserve.bench;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationMethod;
import io.maskserve.server.pipeline.ExplanationPipeline;
import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.pipeline.ImageInput;
import io.maskserve.server.registry.LoadedModel;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.preprocess.Preprocessor;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * In-process latency at batch 1 on one zoo model (issue 6, figures 1 and 2): the classifier's
 * forward pass alone, the generator's explanation (what the server does for one request, minus
 * gRPC), and the per-image baselines RISE-4000 and IG-50, all on the same ONNX Runtime sessions
 * that {@link ExplanationPipeline} uses, with the server's default session options.
 *
 * <p>Configuration by system properties (set by {@link LatencyMain}): {@code maskserve.bench.zoo}
 * (a zoo directory), {@code maskserve.bench.images.<model>} (a folder of images of that model),
 * and the parameters {@code model} and {@code intraOpThreads}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExplainLatencyBenchmark {

  /** The zoo model to measure. */
  @Param({"synth"})
  public String model;

  /** ONNX Runtime intra-op threads per session ({@code serve --intra-op-threads}, default 1). */
  @Param({"1"})
  public int intraOpThreads;

  private ModelRegistry registry;
  private ModelRegistry.Lease lease;
  private LoadedModel loaded;
  private ExplanationPipeline pipeline;
  private float[] tensor;
  private long[] shape;
  private float[] twoRows;
  private long[] twoRowShape;
  private ExplainQuery generatorQuery;
  private ExplainQuery encodedQuery;
  private ExplainQuery unscoredQuery;
  private ExplainQuery igQuery;
  private ExplainQuery riseQuery;
  /** A feature-reading generator's inputs (the classifier tensors of the image), else null. */
  private java.util.Map<String, OnnxModel.Input> generatorFeed;

  /** Opens the zoo, loads the model and prepares one image as a tensor and as file bytes. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path zoo = Path.of(required("maskserve.bench.zoo"));
    byte[] image = BenchImages.load(Path.of(required("maskserve.bench.images." + model)), 1).get(0);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    registry = new ModelRegistry(FileSystemZooStore.open(zoo, new OnnxModelValidator(env)),
        new SessionFactory(env, Device.CPU, intraOpThreads, 1));
    pipeline = new ExplanationPipeline(registry, new MaskSampler(), new OverlayRenderer(), ServerLimits.defaults());
    lease = registry.acquire(model, "");
    loaded = lease.model();
    InputSpec spec = loaded.manifest().input();
    BufferedImage picture = ImageIO.read(new ByteArrayInputStream(image));
    tensor = new Preprocessor(spec).toTensor(picture);
    shape = new long[] {1, 3, spec.height(), spec.width()};
    twoRows = java.util.Arrays.copyOf(tensor, 2 * tensor.length);
    twoRowShape = new long[] {2, 3, spec.height(), spec.width()};
    ByteBuffer le = ByteBuffer.allocate(tensor.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    le.asFloatBuffer().put(tensor);
    generatorQuery = ExplainQuery.of(model, new ImageInput.Tensor(shape, le.array())).withSeed(1);
    encodedQuery = ExplainQuery.of(model, new ImageInput.Encoded(image)).withSeed(1);
    unscoredQuery = generatorQuery.withSkipScoring(true);
    igQuery = generatorQuery.withMethod(ExplanationMethod.INTEGRATED_GRADIENTS);
    riseQuery = generatorQuery.withMethod(ExplanationMethod.RISE);
    if (!loaded.generatorFeatures().isEmpty()) {
      // The classifier tensors the generator decodes, computed once: generatorForward is the decoder alone.
      java.util.List<String> outputs = loaded.generatorFeatures();
      var out = loaded.classifier().run(java.util.Map.of(loaded.classifier().inputName(),
          new OnnxModel.Input(tensor, shape)), null, outputs);
      generatorFeed = new java.util.HashMap<>();
      for (String f : outputs) {
        generatorFeed.put(f, new OnnxModel.Input(out.get(f).values(), out.get(f).shape()));
      }
      loaded.generatorImageInput().ifPresent(i -> generatorFeed.put(i, new OnnxModel.Input(tensor, shape)));
    }
  }

  /** Releases the model and closes the sessions. */
  @TearDown(Level.Trial)
  public void tearDown() {
    lease.close();
    registry.close();
  }

  /** One classifier forward pass on the prepared tensor: the unit every ratio is expressed in. */
  @Benchmark
  public OnnxModel.Output classifierForward() throws Exception {
    return loaded.classifier().run(tensor, shape);
  }

  /**
   * One classifier call on two rows (the image and its masked copy): what the explanation's
   * merged classification-and-scoring call costs.
   */
  @Benchmark
  public OnnxModel.Output classifierTwoRows() throws Exception {
    return loaded.classifier().run(twoRows, twoRowShape);
  }

  /**
   * One generator forward pass on the prepared tensor (for a generator that decodes classifier
   * tensors: on those tensors, which the explanation takes from its classification call).
   */
  @Benchmark
  public OnnxModel.Output generatorForward() throws Exception {
    if (generatorFeed != null) {
      OnnxModel g = loaded.generator();
      return g.run(generatorFeed, null, java.util.List.of(g.outputName())).get(g.outputName());
    }
    return loaded.generator().run(tensor, shape);
  }

  /** The generator's explanation of the prepared tensor (prediction, map, mask, mask score). */
  @Benchmark
  public ExplanationResult explainGenerator() {
    return pipeline.explain(loaded, generatorQuery);
  }

  /** The generator's explanation without scoring its mask ({@code skip_scoring}): map and mask only. */
  @Benchmark
  public ExplanationResult explainUnscored() {
    return pipeline.explain(loaded, unscoredQuery);
  }

  /** The same from the image file's bytes (decoding and preprocessing included). */
  @Benchmark
  public ExplanationResult explainEncoded() {
    return pipeline.explain(loaded, encodedQuery);
  }

  /** Integrated gradients, 50 steps (the server's default). */
  @Benchmark
  public ExplanationResult explainIg50() {
    return pipeline.explain(loaded, igQuery);
  }

  /** RISE, 4,000 masks (the server's default). */
  @Benchmark
  public ExplanationResult explainRise4000() {
    return pipeline.explain(loaded, riseQuery);
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set (run bench/performance.sh)");
    }
    return v;
  }
}
