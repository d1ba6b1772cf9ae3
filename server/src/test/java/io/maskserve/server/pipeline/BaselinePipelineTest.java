package io.maskserve.server.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.TestData;
import io.maskserve.server.attribution.AttributionOptions;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.server.sampling.PackedMask;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.GeneratorShape;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelValidator;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.testing.TestOnnxModels;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Baseline methods through the pipeline, on the real ResNet-20, checked against direct ORT runs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BaselinePipelineTest {

  @TempDir static Path zoo;
  private OrtEnvironment env;
  private ModelRegistry registry;
  private ExplanationPipeline pipeline;
  private OrtSession classifier;
  private byte[] jpeg;
  private float[] x;

  @BeforeAll
  void setUp() throws Exception {
    TestData.populate(zoo, "1", 8);
    env = OrtEnvironment.getEnvironment();
    registry = new ModelRegistry(
        FileSystemZooStore.open(zoo, new OnnxModelValidator(env)), new SessionFactory(env, Device.CPU, 1, 1));
    pipeline = new ExplanationPipeline(registry, new MaskSampler(), new OverlayRenderer(),
        ServerLimits.builder().maxRiseMasks(6000).build());
    classifier = env.createSession(TestData.resnetOnnx().toString());
    jpeg = TestData.read(TestData.cifarImage("ship", 812));
    x = decoded(jpeg);
  }

  @AfterAll
  void tearDown() throws Exception {
    registry.close();
    classifier.close();
  }

  /** The tensor the pipeline classifies (the zoo's own decoding, so the comparison is exact). */
  private static float[] decoded(byte[] jpeg) {
    io.maskserve.zoo.preprocess.Preprocessor pre = new io.maskserve.zoo.preprocess.Preprocessor(TestData.CIFAR_INPUT);
    return pre.toTensor(pre.prepareImage(io.maskserve.zoo.preprocess.ImageDecoder.decode(jpeg)));
  }

  private ExplainQuery query(ExplanationMethod m) {
    return ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withMethod(m);
  }

  private float[] logits(float[] image) throws Exception {
    return TestData.runFirstOutput(env, classifier, image, 1, 3, 32, 32);
  }


  /** Checks what every baseline result shares: a top-fraction mask scored like the generator's. */
  private void checkBaselineResult(ExplanationResult r, ExplanationMethod m, float keepFraction) throws Exception {
    assertEquals(m, r.method());
    assertNull(r.probabilityMap(), "baselines have no keep probabilities");
    assertEquals(32, r.saliencyMap().height());
    float[] s = r.saliencyMap().values();
    for (float v : s) {
      assertTrue(Float.isFinite(v));
    }
    PackedMask mask = r.mask().mask();
    int k = Math.round(keepFraction * 1024);
    assertEquals(k / 1024f, mask.keepFraction(), 1e-6f);
    float minKept = Float.POSITIVE_INFINITY;
    float maxDropped = Float.NEGATIVE_INFINITY;
    float[] masked = x.clone();
    for (int i = 0; i < 1024; i++) {
      if (mask.kept(i)) {
        minKept = Math.min(minKept, s[i]);
      } else {
        maxDropped = Math.max(maxDropped, s[i]);
        masked[i] = masked[1024 + i] = masked[2048 + i] = 0f;
      }
    }
    assertTrue(minKept >= maxDropped, m + ": the mask keeps the most salient pixels");
    assertEquals(TestData.softmaxAt(logits(masked), r.targetClass()), r.mask().targetProbability(), 1e-4f);
    assertTrue(r.samples().isEmpty());
    assertTrue(r.timings().generateMicros() > 0);
  }

  @Test
  void gradientIsTheClassifiersInputGradientAndItsMaskIsScoredLikeTheGenerators() throws Exception {
    ExplanationResult r = pipeline.explain(query(ExplanationMethod.GRADIENT));
    checkBaselineResult(r, ExplanationMethod.GRADIENT, 0.25f);
    int target = r.targetClass();
    assertEquals(r.predictions().get(0).classIndex(), target);
    assertEquals(TestData.softmaxAt(logits(x), target), r.targetOriginalProbability(), 1e-5f);
    // Independently: the classifier augmented in memory, run directly.
    ModelProto aug = Autodiff.augment(ModelProto.parseFrom(Files.readAllBytes(TestData.resnetOnnx())),
        AutodiffOptions.logit());
    float[] g;
    try (OrtSession s = env.createSession(aug.toByteArray());
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, 32, 32});
        OnnxTensor tg = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {target}), new long[] {1});
        OrtSession.Result res = s.run(Map.of("input", t, Autodiff.TARGET, tg))) {
      FloatBuffer fb = ((OnnxTensor) res.get(Autodiff.INPUT_GRAD).orElseThrow()).getFloatBuffer();
      g = new float[fb.remaining()];
      fb.get(g);
    }
    float[] map = r.saliencyMap().values();
    float max = 0;
    for (int p = 0; p < 1024; p++) {
      float e = Math.max(Math.abs(g[p]), Math.max(Math.abs(g[1024 + p]), Math.abs(g[2048 + p])));
      max = Math.max(max, e);
      assertEquals(e, map[p], 1e-5f + 1e-4f * e, "pixel " + p);
    }
    assertTrue(max > 0);
  }

  @Test
  void everyBaselineRunsOnResNet20AndHonoursKeepFraction() throws Exception {
    AttributionOptions small = AttributionOptions.builder()
        .smoothGradSamples(6).igSteps(8).riseMasks(128).riseGrid(4).riseBatch(64).build();
    for (ExplanationMethod m : ExplanationMethod.values()) {
      if (m.isGenerator()) {
        continue;
      }
      ExplanationResult r = pipeline.explain(query(m).withMethod(m, small).withKeepFraction(0.1f).withSeed(5L));
      checkBaselineResult(r, m, 0.1f);
      assertEquals(5L, r.seed());
      if (m == ExplanationMethod.GRAD_CAM || m == ExplanationMethod.RISE || m == ExplanationMethod.GRADIENT) {
        for (float v : r.saliencyMap().values()) {
          assertTrue(v >= 0f, m + " maps are non-negative");
        }
      }
    }
  }

  @Test
  void theCentreBaselineIgnoresTheImageAndPeaksAtTheCentre() {
    ExplainQuery q = query(ExplanationMethod.CENTRE).withKeepFraction(0.1f);
    ExplanationResult r = pipeline.explain(q);
    float[] map = r.saliencyMap().values();
    // Symmetric about the centre and maximal on the four central pixels of the 32x32 input.
    float peak = map[15 * 32 + 15];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertEquals(map[y * 32 + x], map[(31 - y) * 32 + (31 - x)], 1e-6f);
        assertTrue(map[y * 32 + x] <= peak + 1e-6f);
      }
    }
    assertTrue(map[0] < 0.2f * peak, "corners are far from the peak");
    // The kept 10% is the central disc.
    assertTrue(r.mask().mask().kept(15 * 32 + 16));
    assertTrue(!r.mask().mask().kept(0));
  }

  @Test
  void aBaselineSkippingScoringReturnsTheSameMapAndAnUnscoredMask() {
    ExplanationResult scored = pipeline.explain(query(ExplanationMethod.GRADIENT));
    ExplanationResult skipped = pipeline.explain(query(ExplanationMethod.GRADIENT).withSkipScoring(true));
    assertArrayEquals(scored.saliencyMap().values(), skipped.saliencyMap().values());
    assertArrayEquals(scored.mask().mask().bits(), skipped.mask().mask().bits());
    assertTrue(scored.mask().scored());
    assertFalse(skipped.mask().scored());
    assertTrue(Float.isNaN(skipped.mask().targetProbability()));
  }

  @Test
  void seededMethodsAreReproducible() {
    AttributionOptions o = AttributionOptions.builder().riseMasks(64).riseBatch(32).smoothGradSamples(4).build();
    for (ExplanationMethod m : List.of(ExplanationMethod.RISE, ExplanationMethod.SMOOTHGRAD)) {
      ExplainQuery q = query(m).withMethod(m, o).withSeed(11L);
      assertArrayEquals(pipeline.explain(q).saliencyMap().values(), pipeline.explain(q).saliencyMap().values(), 1e-6f);
    }
  }

  @Test
  void generatorAndBaselineQueriesShareABatchInOrder() {
    ExplainQuery gen = ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(3, 1L);
    ExplainQuery grad = query(ExplanationMethod.GRADIENT);
    ExplainQuery bad = query(ExplanationMethod.OCCLUSION).withSamples(1, 1L);
    List<Outcome> out = pipeline.explainBatch(TestData.MODEL, "", List.of(gen, grad, bad, gen.withTarget(2)));
    ExplanationResult alone = pipeline.explain(gen);
    assertEquals(ExplanationMethod.GENERATOR, out.get(0).get().method());
    assertArrayEquals(alone.probabilityMap().values(), out.get(0).get().probabilityMap().values(), 1e-6f);
    assertArrayEquals(alone.probabilityMap().values(), out.get(0).get().saliencyMap().values(), 0f,
        "the generator's saliency map is its keep probabilities");
    assertEquals(alone.samples(), out.get(0).get().samples());
    assertEquals(ExplanationMethod.GRADIENT, out.get(1).get().method());
    ExplainException e = (ExplainException) out.get(2).error();
    assertEquals(ExplainException.Reason.INVALID_ARGUMENT, e.reason());
    assertTrue(e.getMessage().contains("num_samples"), e.getMessage());
    assertEquals(2, out.get(3).get().targetClass());
  }

  @Test
  void argumentsAndLimitsHavePreciseReasons() {
    ExplainException keep = assertThrows(ExplainException.class,
        () -> pipeline.explain(query(ExplanationMethod.GRADIENT).withKeepFraction(1.5f)));
    assertEquals(ExplainException.Reason.INVALID_ARGUMENT, keep.reason());
    assertTrue(keep.getMessage().contains("keep_fraction"), keep.getMessage());

    ExplainException masks = assertThrows(ExplainException.class, () -> pipeline.explain(query(ExplanationMethod.RISE)
        .withMethod(ExplanationMethod.RISE, AttributionOptions.builder().riseMasks(6001).build())));
    assertEquals(ExplainException.Reason.RESOURCE_EXHAUSTED, masks.reason());
    assertTrue(masks.getMessage().contains("6000") && masks.getMessage().contains("--max-rise-masks"),
        masks.getMessage());

    ExplainException layer = assertThrows(ExplainException.class, () -> pipeline.explain(query(
        ExplanationMethod.GRAD_CAM).withMethod(ExplanationMethod.GRAD_CAM,
            AttributionOptions.builder().gradCamLayer("/nope").build())));
    assertEquals(ExplainException.Reason.INVALID_ARGUMENT, layer.reason());
    assertTrue(layer.getMessage().contains("/layer3/layer3.2/conv2/Conv_output_0"), layer.getMessage());

    ExplainException target = assertThrows(ExplainException.class,
        () -> pipeline.explain(query(ExplanationMethod.GRADIENT).withTarget(10)));
    assertEquals(ExplainException.Reason.INVALID_ARGUMENT, target.reason());
  }

  @Test
  void theDeadlineStopsRiseBetweenBatches() {
    // 6000 masks in batches of 16 take seconds; the deadline passes after the first batches.
    ExplainQuery q = query(ExplanationMethod.RISE)
        .withMethod(ExplanationMethod.RISE, AttributionOptions.builder().riseMasks(6000).riseBatch(16).build());
    long t0 = System.nanoTime();
    ExplainException e = assertThrows(ExplainException.class,
        () -> pipeline.explain(q.withDeadline(Deadline.after(Duration.ofMillis(300)))));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(ExplainException.Reason.DEADLINE_EXCEEDED, e.reason());
    assertTrue(e.getMessage().contains("RISE"), e.getMessage());
    assertTrue(millis < 3_000, "stopped at the next batch, not at the end: " + millis + " ms");
  }

  @Test
  void aClassifierThatCannotBeDifferentiatedIsAFailedPrecondition(@TempDir Path other) throws Exception {
    // Registration normally rejects such a classifier; a validator that skips the check stands for
    // a zoo registered before the check existed.
    OnnxModelValidator real = new OnnxModelValidator(env);
    ModelValidator lenient = new ModelValidator() {
      @Override
      public void validateClassifier(Path onnx, ClassifierRegistration registration) {}

      @Override
      public GeneratorShape validateGenerator(Path onnx, ModelManifest classifier) {
        return real.validateGenerator(onnx, classifier);
      }
    };
    OnnxGraphBuilder b = new OnnxGraphBuilder("soft");
    String in = b.floatInput("x", "N", 3, 8, 8);
    String y = b.nodeTo("Softplus", List.of(in), "odd");
    String pooled = b.node("ReduceMean", List.of(y), OnnxGraphBuilder.ints("axes", 2, 3),
        OnnxGraphBuilder.intAttr("keepdims", 0));
    b.nodeTo("MatMul", List.of(pooled, b.floatInitializer("w", new float[] {1, 0, 0, 1, 1, 0}, 3, 2)), "logits");
    b.floatOutput("logits", "N", 2);
    InputSpec spec = new InputSpec(8, 8, ResizeMode.RESIZE, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    FileSystemZooStore store = FileSystemZooStore.open(other, lenient);
    store.registerClassifier(new ClassifierRegistration("soft", "1", List.of("a", "b"), spec, "", ""),
        new ByteArrayInputStream(b.toBytes(8, 17)));
    store.registerGenerator(new GeneratorRegistration(new ModelKey("soft", "1"), 0.5f, "", ""),
        new ByteArrayInputStream(TestOnnxModels.generator(8, 8, 2, 1f)));
    try (ModelRegistry reg = new ModelRegistry(store, new SessionFactory(env, Device.CPU, 1, 1))) {
      ExplanationPipeline p = new ExplanationPipeline(reg, new MaskSampler(), new OverlayRenderer(), ServerLimits.defaults());
      ExplainQuery q = ExplainQuery.of("soft", new ImageInput.Tensor(new long[] {1, 3, 8, 8}, new byte[3 * 64 * 4]));
      assertEquals(ExplanationMethod.GENERATOR, p.explain(q).method(), "the generator still explains");
      for (ExplanationMethod m : List.of(ExplanationMethod.GRADIENT, ExplanationMethod.GRAD_CAM)) {
        ZooException e = assertThrows(ZooException.class, () -> p.explain(q.withMethod(m, AttributionOptions.builder()
            .gradCamLayer("odd").build())));
        assertEquals(ZooException.Reason.FAILED_PRECONDITION, e.reason(), m.toString());
        assertTrue(e.getMessage().contains("Softplus") && e.getMessage().contains("odd_node"), e.getMessage());
      }
      assertEquals(ExplanationMethod.OCCLUSION, p.explain(q.withMethod(ExplanationMethod.OCCLUSION)).method(),
          "perturbation methods need no gradient");
    }
  }
}
