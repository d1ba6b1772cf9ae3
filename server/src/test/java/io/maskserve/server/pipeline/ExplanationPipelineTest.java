package io.maskserve.server.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.server.sampling.PackedMask;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.preprocess.InvalidInputException;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline with the real ResNet-20 and the reference generator, checked against direct ORT runs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplanationPipelineTest {

  private static final int MAP = 8; // generator output 8x8, upsampled x4 to 32x32

  @TempDir static Path zoo;
  private OrtEnvironment env;
  private FileSystemZooStore store;
  private ModelRegistry registry;
  private ExplanationPipeline pipeline;
  private OrtSession classifier;
  private OrtSession generator;

  @BeforeAll
  void setUp() throws Exception {
    TestData.populate(zoo, "1", MAP);
    env = OrtEnvironment.getEnvironment();
    store = FileSystemZooStore.open(zoo, new OnnxModelValidator(env));
    registry = new ModelRegistry(store, new SessionFactory(env, Device.CPU, 1, 1));
    pipeline = new ExplanationPipeline(
        registry, new MaskSampler(), new OverlayRenderer(), ServerLimits.builder().maxSamples(16).build());
    classifier = env.createSession(TestData.resnetOnnx().toString());
    generator = env.createSession(TestData.generatorOnnx(MAP));
  }

  @AfterAll
  void tearDown() throws Exception {
    registry.close();
    classifier.close();
    generator.close();
  }

  /** CHW normalised tensor computed independently of the zoo's preprocessing. */
  private static float[] tensorOf(byte[] jpeg) throws Exception {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    float[] t = new float[3 * 32 * 32];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        int rgb = img.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          int v = (rgb >> (16 - 8 * c)) & 0xFF;
          t[c * 1024 + y * 32 + x] = (v / 255f - mean[c]) / std[c];
        }
      }
    }
    return t;
  }

  private float[] run(OrtSession s, float[] data, long... shape) throws Exception {
    return TestData.runFirstOutput(env, s, data, shape);
  }


  @Test
  void explainsARealImageConsistentlyWithDirectInference() throws Exception {
    byte[] jpeg = TestData.read(TestData.cifarImage("ship", 812));
    float[] x = tensorOf(jpeg);
    float[] logits = run(classifier, x, 1, 3, 32, 32);
    int argmax = 0;
    for (int i = 1; i < 10; i++) {
      if (logits[i] > logits[argmax]) {
        argmax = i;
      }
    }

    ExplanationResult r = pipeline.explain(ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(6, 99L));

    assertEquals("1", r.version());
    assertEquals(5, r.predictions().size());
    assertEquals(argmax, r.predictions().get(0).classIndex());
    assertEquals(argmax, r.targetClass());
    assertEquals(TestData.labels().get(argmax), r.targetLabel());
    assertEquals(TestData.softmaxAt(logits, argmax), r.targetOriginalProbability(), 1e-3f);
    for (int i = 1; i < 5; i++) {
      assertTrue(r.predictions().get(i - 1).probability() >= r.predictions().get(i).probability());
    }

    // The map is the generator's output, nearest-upsampled x4.
    float[] g = run(generator, x, 1, 3, 32, 32);
    assertEquals(MAP * MAP, g.length);
    ExplanationResult.ProbabilityMap map = r.probabilityMap();
    assertEquals(32, map.height());
    assertEquals(32, map.width());
    for (int y = 0; y < 32; y++) {
      for (int xx = 0; xx < 32; xx++) {
        float p = map.get(y * 32 + xx);
        assertTrue(p >= 0f && p <= 1f);
        assertEquals(g[(y / 4) * MAP + xx / 4], p, 1e-4f, "map at " + y + "," + xx);
      }
    }

    // Deterministic mask == map >= threshold (the manifest's 0.5), scored on the masked image.
    assertEquals(0.5f, r.threshold());
    PackedMask mask = r.mask().mask();
    float[] masked = x.clone();
    for (int i = 0; i < 1024; i++) {
      assertEquals(map.get(i) >= 0.5f, mask.kept(i));
      if (!mask.kept(i)) {
        masked[i] = masked[1024 + i] = masked[2048 + i] = 0f;
      }
    }
    assertEquals(TestData.softmaxAt(run(classifier, masked, 1, 3, 32, 32), argmax), r.mask().targetProbability(), 1e-3f);

    // Samples: reproducible from the seed, each scored on its own masked image.
    assertEquals(6, r.samples().size());
    assertEquals(99L, r.seed());
    List<PackedMask> expected = new MaskSampler().sample(map.values(), 32, 32, 6, 99L);
    for (int k = 0; k < 6; k++) {
      assertEquals(expected.get(k), r.samples().get(k).mask());
    }
    PackedMask s3 = r.samples().get(3).mask();
    float[] m3 = x.clone();
    for (int i = 0; i < 1024; i++) {
      if (!s3.kept(i)) {
        m3[i] = m3[1024 + i] = m3[2048 + i] = 0f;
      }
    }
    assertEquals(TestData.softmaxAt(run(classifier, m3, 1, 3, 32, 32), argmax), r.samples().get(3).targetProbability(), 1e-3f);
    assertTrue(r.timings().totalMicros() >= r.timings().classifyMicros() + r.timings().scoreMicros());
    // An unconditional generator's map does not need the prediction: the original image is
    // classified in the scoring call (the values above are the same as from separate calls).
    assertEquals(0, r.timings().classifyMicros());
    assertTrue(r.timings().scoreMicros() > 0);
    assertEquals(0, r.overlayPng().length);
  }

  @Test
  void theResultSaysWhereTheInputLiesInTheOriginalImage() throws Exception {
    // The CIFAR image enlarged to 96x64: resized (not cropped) to the 32x32 input, it covers it all.
    BufferedImage small = ImageIO.read(new ByteArrayInputStream(TestData.read(TestData.cifarImage("dog", 850))));
    BufferedImage big = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB);
    big.createGraphics().drawImage(small, 0, 0, 96, 64, null);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    ImageIO.write(big, "png", png);
    ExplanationResult r = pipeline.explain(ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(png.toByteArray())));
    var region = r.region().orElseThrow();
    assertEquals(96, region.originalWidth());
    assertEquals(64, region.originalHeight());
    assertEquals(96.0, region.toOriginalX(32), 1e-9);
    assertEquals(64.0, region.toOriginalY(32), 1e-9);
    // A tensor input has no original image.
    float[] x = tensorOf(TestData.read(TestData.cifarImage("dog", 850)));
    java.nio.ByteBuffer le = java.nio.ByteBuffer.allocate(4 * x.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    le.asFloatBuffer().put(x);
    assertTrue(pipeline.explain(ExplainQuery.of(TestData.MODEL,
        new ImageInput.Tensor(new long[] {1, 3, 32, 32}, le.array()))).region().isEmpty());
  }

  @Test
  void sameSeedSameSamplesDifferentSeedDifferent() {
    byte[] jpeg = TestData.read(TestData.cifarImage("cat", 905));
    ExplainQuery q = ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg));
    ExplanationResult a = pipeline.explain(q.withSamples(4, 7L));
    ExplanationResult b = pipeline.explain(q.withSamples(4, 7L));
    ExplanationResult c = pipeline.explain(q.withSamples(4, 8L));
    assertEquals(a.samples(), b.samples());
    assertNotEquals(
        a.samples().stream().map(s -> s.mask()).toList(), c.samples().stream().map(s -> s.mask()).toList());
    ExplanationResult unseeded1 = pipeline.explain(q);
    ExplanationResult unseeded2 = pipeline.explain(q);
    assertNotEquals(unseeded1.seed(), unseeded2.seed(), "the server picks a fresh seed");
  }

  @Test
  void skippingScoringStillClassifiesTheOriginalInTheMergedCall() {
    // This generator is unconditional: the original is classified in the scoring call, which a
    // query skipping scoring still makes (one row, no masked rows).
    byte[] jpeg = TestData.read(TestData.cifarImage("bird", 870));
    ExplainQuery q = ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(2, 3L);
    ExplanationResult scored = pipeline.explain(q);
    ExplanationResult skipped = pipeline.explain(q.withSkipScoring(true));
    assertEquals(scored.predictions(), skipped.predictions());
    assertEquals(scored.targetOriginalProbability(), skipped.targetOriginalProbability(), 1e-6f);
    assertArrayEquals(scored.mask().mask().bits(), skipped.mask().mask().bits());
    assertTrue(scored.mask().scored());
    assertFalse(skipped.mask().scored());
    assertEquals(2, skipped.samples().size());
    assertFalse(skipped.samples().get(1).scored());
  }

  @Test
  void tensorInputGivesTheSameAnswerAsTheImage() throws Exception {
    byte[] jpeg = TestData.read(TestData.cifarImage("frog", 850));
    float[] x = tensorOf(jpeg);
    ByteBuffer le = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    le.asFloatBuffer().put(x);
    ExplanationResult fromTensor = pipeline.explain(ExplainQuery.of(
        TestData.MODEL, new ImageInput.Tensor(new long[] {1, 3, 32, 32}, le.array())).withSamples(2, 5L).withOverlay(true));
    ExplanationResult fromImage = pipeline.explain(
        ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(2, 5L));
    assertEquals(fromImage.targetClass(), fromTensor.targetClass());
    assertEquals(fromImage.targetOriginalProbability(), fromTensor.targetOriginalProbability(), 1e-4f);
    assertArrayEquals(fromImage.probabilityMap().values(), fromTensor.probabilityMap().values(), 1e-4f);
    assertTrue(fromTensor.overlayPng().length > 0);
    assertThrows(InvalidInputException.class, () -> pipeline.explain(ExplainQuery.of(
        TestData.MODEL, new ImageInput.Tensor(new long[] {1, 3, 16, 16}, new byte[3 * 16 * 16 * 4]))));
  }

  @Test
  void overlayIsAnUpscaledPng() throws Exception {
    byte[] jpeg = TestData.read(TestData.cifarImage("horse", 801));
    ExplanationResult r = pipeline.explain(ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withOverlay(true));
    BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.overlayPng()));
    assertEquals(128, png.getWidth());
    assertEquals(128, png.getHeight());
    assertTrue(r.timings().overlayMicros() > 0);
  }

  @Test
  void explicitTargetAndValidationErrors() {
    byte[] jpeg = TestData.read(TestData.cifarImage("dog", 830));
    ExplainQuery q = ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg));
    ExplanationResult r = pipeline.explain(q.withTarget(3));
    assertEquals(3, r.targetClass());
    assertEquals("cat", r.targetLabel());

    ExplainException bad = assertThrows(ExplainException.class, () -> pipeline.explain(q.withTarget(10)));
    assertEquals(ExplainException.Reason.INVALID_ARGUMENT, bad.reason());
    assertTrue(bad.getMessage().contains("0..9"), bad.getMessage());

    ExplainException many = assertThrows(ExplainException.class, () -> pipeline.explain(q.withSamples(17, 1L)));
    assertEquals(ExplainException.Reason.RESOURCE_EXHAUSTED, many.reason());
    assertTrue(many.getMessage().contains("16"), many.getMessage());

    ExplainException late = assertThrows(
        ExplainException.class, () -> pipeline.explain(q.withDeadline(Deadline.after(Duration.ofNanos(-1)))));
    assertEquals(ExplainException.Reason.DEADLINE_EXCEEDED, late.reason());

    assertThrows(InvalidInputException.class,
        () -> pipeline.explain(ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(new byte[] {1, 2, 3, 4}))));

    ZooException unknown = assertThrows(ZooException.class,
        () -> pipeline.explain(ExplainQuery.of("nosuch", new ImageInput.Encoded(jpeg))));
    assertEquals(ZooException.Reason.NOT_FOUND, unknown.reason());
    assertTrue(unknown.getMessage().contains(TestData.MODEL), unknown.getMessage());
  }

  @Test
  void batchEqualsSingleExplanationsAndIsolatesFailures() {
    List<ExplainQuery> queries = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      byte[] jpeg = TestData.read(TestData.cifarImage(TestData.labels().get(i), 840 + i));
      queries.add(ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(i == 3 ? 0 : 64, i));
    }
    queries.set(2, ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(new byte[] {9, 9, 9})));
    queries.set(4, queries.get(4).withTarget(99));
    // 4 x 65 + 1 rows: more than MAX_SCORE_ROWS, so scoring takes several calls.
    List<Outcome> batch = pipelineWithLargeLimit().explainBatch(TestData.MODEL, "", queries);
    assertEquals(7, batch.size());
    assertTrue(batch.get(2).error() instanceof InvalidInputException);
    assertEquals(ExplainException.Reason.INVALID_ARGUMENT, ((ExplainException) batch.get(4).error()).reason());
    for (int i : new int[] {0, 1, 3, 5, 6}) {
      ExplanationResult b = batch.get(i).get();
      ExplanationResult s = ExplanationPipelineTest.this.pipelineWithLargeLimit().explain(queries.get(i));
      assertEquals(s.targetClass(), b.targetClass());
      assertEquals(s.predictions().stream().map(p -> p.classIndex()).toList(),
          b.predictions().stream().map(p -> p.classIndex()).toList());
      assertArrayEquals(s.probabilityMap().values(), b.probabilityMap().values(), 1e-5f);
      assertEquals(s.mask().mask(), b.mask().mask());
      assertEquals(s.mask().targetProbability(), b.mask().targetProbability(), 1e-4f);
      assertEquals(s.samples().size(), b.samples().size());
      for (int k = 0; k < s.samples().size(); k++) {
        assertEquals(s.samples().get(k).mask(), b.samples().get(k).mask());
        assertEquals(s.samples().get(k).targetProbability(), b.samples().get(k).targetProbability(), 1e-4f);
      }
    }
    ZooException unknown = assertThrows(ZooException.class,
        () -> pipeline.explainBatch("nosuch", "", queries.subList(0, 2)).get(1).get());
    assertEquals(ZooException.Reason.NOT_FOUND, unknown.reason());
  }

  @Test
  void unconditionalGeneratorGivesTheSameMapWhateverTheTarget() {
    try (ModelRegistry.Lease lease = registry.acquire(TestData.MODEL, "")) {
      assertFalse(lease.model().classConditional());
    }
    ExplainQuery q = ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(TestData.read(TestData.cifarImage("cat", 806))));
    List<Outcome> batch = pipeline.explainBatch(TestData.MODEL, "", List.of(q.withTarget(0), q.withTarget(1), q));
    ExplanationResult first = batch.get(0).get();
    assertEquals(0, first.targetClass());
    assertEquals(1, batch.get(1).get().targetClass());
    for (Outcome o : batch) {
      assertArrayEquals(first.probabilityMap().values(), o.get().probabilityMap().values());
      assertEquals(first.mask().mask(), o.get().mask().mask());
    }
    // Only the scoring depends on the target.
    assertNotEquals(first.mask().targetProbability(), batch.get(1).get().mask().targetProbability());
  }

  private ExplanationPipeline pipelineWithLargeLimit() {
    return new ExplanationPipeline(registry, new MaskSampler(), new OverlayRenderer(), ServerLimits.defaults());
  }

  @Test
  void upsamplesByIntegerFactorsAndClamps() {
    float[] up = ExplanationPipeline.upsample(new float[] {0.1f, 2f, Float.NaN, -1f}, 2, 2, 4, 6);
    assertEquals(24, up.length);
    assertEquals(0.1f, up[0]);
    assertEquals(0.1f, up[2]);
    assertEquals(1f, up[3]);
    assertEquals(1f, up[6 + 5]);
    assertEquals(0f, up[2 * 6]);
    assertEquals(0f, up[3 * 6 + 5]);
  }
}
