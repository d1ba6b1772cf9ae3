package io.maskserve.server.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.onnx.FeatureTaps;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.preprocess.Preprocessor;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generator that decodes the classifier's own last-block tensor (ResNet-20, {@code [N,64,8,8]}):
 * the pipeline feeds it from the classification pass and its answers equal direct ONNX Runtime
 * runs of the plain classifier and the generator on that tensor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureGeneratorPipelineTest {

  static final String LAST_BLOCK = "/layer3/layer3.2/Relu_1_output_0";

  @TempDir static Path zoo;
  private OrtEnvironment env;
  private ModelRegistry registry;
  private ExplanationPipeline pipeline;
  private OrtSession classifier;
  private OrtSession tapped;
  private OrtSession generator;
  private byte[] generatorBytes;

  @BeforeAll
  void setUp() throws Exception {
    generatorBytes = ReferenceGenerators.featureActivationGenerator(LAST_BLOCK, 64, 8, 8);
    TestData.populate(zoo, "1", generatorBytes, "feature generator");
    env = OrtEnvironment.getEnvironment();
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(env));
    assertEquals(List.of(LAST_BLOCK), store.latest(TestData.MODEL, true).orElseThrow().generator().orElseThrow()
        .features());
    registry = new ModelRegistry(store, new SessionFactory(env, Device.CPU, 1, 1));
    pipeline = new ExplanationPipeline(
        registry, new MaskSampler(), new OverlayRenderer(), ServerLimits.builder().maxSamples(16).build());
    byte[] plain = Files.readAllBytes(TestData.resnetOnnx());
    classifier = env.createSession(plain);
    tapped = env.createSession(FeatureTaps.withOutputs(ModelProto.parseFrom(plain), List.of(LAST_BLOCK)).toByteArray());
    generator = env.createSession(generatorBytes);
  }

  @AfterAll
  void tearDown() throws Exception {
    registry.close();
    classifier.close();
    tapped.close();
    generator.close();
  }

  @Test
  void theGeneratorDecodesTheClassificationPassTensors() throws Exception {
    for (String cls : List.of("ship", "cat", "truck")) {
      byte[] jpeg = TestData.read(TestData.cifarImage(cls, 830));
      float[] x = new Preprocessor(TestData.CIFAR_INPUT).toTensor(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg)));
      float[] logits = TestData.runFirstOutput(env, classifier, x, 1, 3, 32, 32);
      float[] feature;
      try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, 32, 32});
          OrtSession.Result r = tapped.run(Map.of("input", t))) {
        FloatBuffer fb = ((OnnxTensor) r.get(LAST_BLOCK).orElseThrow()).getFloatBuffer();
        feature = new float[fb.remaining()];
        fb.get(feature);
      }
      float[] g = TestData.runFirstOutput(env, generator, feature, 1, 64, 8, 8);

      ExplanationResult res = pipeline.explain(
          ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(3, 5L));
      int argmax = 0;
      for (int i = 1; i < 10; i++) {
        argmax = logits[i] > logits[argmax] ? i : argmax;
      }
      assertEquals(argmax, res.targetClass());
      assertEquals(TestData.softmaxAt(logits, argmax), res.targetOriginalProbability(), 1e-4f);
      for (int y = 0; y < 32; y++) {
        for (int xx = 0; xx < 32; xx++) {
          assertEquals(g[(y / 4) * 8 + xx / 4], res.probabilityMap().get(y * 32 + xx), 1e-5f, cls + " at " + y + "," + xx);
        }
      }
      // The masked image is scored by the classifier as usual.
      float[] masked = x.clone();
      for (int i = 0; i < 1024; i++) {
        if (!res.mask().mask().kept(i)) {
          masked[i] = masked[1024 + i] = masked[2048 + i] = 0f;
        }
      }
      assertEquals(TestData.softmaxAt(TestData.runFirstOutput(env, classifier, masked, 1, 3, 32, 32), argmax),
          res.mask().targetProbability(), 1e-4f);
      assertEquals(3, res.samples().size());
      // Classified first (the generator needs the tensors), so the classify stage is timed.
      assertTrue(res.timings().classifyMicros() > 0);
    }
  }

  @Test
  void aBatchGivesEachImageItsOwnTensors() {
    List<ExplainQuery> qs = List.of("dog", "frog", "airplane").stream()
        .map(c -> ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(TestData.read(TestData.cifarImage(c, 840)))))
        .toList();
    List<Outcome> batch = pipeline.explainBatch(TestData.MODEL, "", qs);
    for (int i = 0; i < qs.size(); i++) {
      ExplanationResult alone = pipeline.explain(qs.get(i));
      ExplanationResult together = batch.get(i).get();
      assertEquals(alone.targetClass(), together.targetClass());
      for (int p = 0; p < 1024; p++) {
        assertEquals(alone.probabilityMap().get(p), together.probabilityMap().get(p), 1e-5f);
      }
    }
  }

  @Test
  void skippingScoringKeepsTheExplanationAndLeavesTheMasksUnscored() {
    List<ExplainQuery> qs = List.of("horse", "deer").stream()
        .map(c -> ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(TestData.read(TestData.cifarImage(c, 850))))
            .withSamples(2, 9L))
        .toList();
    // A batch mixing a query that skips scoring with one that does not: each gets what it asked.
    List<Outcome> batch = pipeline.explainBatch(TestData.MODEL, "", List.of(qs.get(0).withSkipScoring(true), qs.get(1)));
    ExplanationResult skipped = batch.get(0).get();
    ExplanationResult scored = pipeline.explain(qs.get(0));
    assertEquals(scored.predictions(), skipped.predictions());
    assertEquals(scored.targetClass(), skipped.targetClass());
    for (int p = 0; p < 1024; p++) {
      assertEquals(scored.probabilityMap().get(p), skipped.probabilityMap().get(p), 1e-6f);
    }
    assertArrayEquals(scored.mask().mask().bits(), skipped.mask().mask().bits());
    assertTrue(scored.mask().scored());
    assertFalse(skipped.mask().scored());
    assertTrue(Float.isNaN(skipped.mask().targetProbability()));
    assertEquals(2, skipped.samples().size());
    for (int k = 0; k < 2; k++) {
      assertArrayEquals(scored.samples().get(k).mask().bits(), skipped.samples().get(k).mask().bits());
      assertFalse(skipped.samples().get(k).scored());
    }
    ExplanationResult other = batch.get(1).get();
    assertEquals(pipeline.explain(qs.get(1)).mask().targetProbability(), other.mask().targetProbability(), 1e-5f);
    assertTrue(other.samples().stream().allMatch(ExplanationResult.ScoredMask::scored));
  }
}
