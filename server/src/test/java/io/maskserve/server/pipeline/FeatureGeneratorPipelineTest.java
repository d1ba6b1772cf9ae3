package io.maskserve.server.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.TestData;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import java.nio.file.Path;
import java.util.List;
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
  private TappedZoo tz;
  private ExplanationPipeline pipeline;

  @BeforeAll
  void setUp() throws Exception {
    tz = new TappedZoo(zoo, ReferenceGenerators.featureActivationGenerator(LAST_BLOCK, 64, 8, 8), List.of(LAST_BLOCK));
    assertEquals(List.of(LAST_BLOCK), tz.store.latest(TestData.MODEL, true).orElseThrow().generator().orElseThrow()
        .features());
    pipeline = tz.pipeline;
  }

  @AfterAll
  void tearDown() throws Exception {
    tz.close();
  }

  @Test
  void theGeneratorDecodesTheClassificationPassTensors() throws Exception {
    for (String cls : List.of("ship", "cat", "truck")) {
      byte[] jpeg = TestData.read(TestData.cifarImage(cls, 830));
      float[] x = TappedZoo.tensor(jpeg);
      float[] logits = tz.logits(x);
      float[] g = TestData.runFirstOutput(tz.env, tz.generator, tz.classifierTensor(x, LAST_BLOCK), 1, 64, 8, 8);

      ExplanationResult res = pipeline.explain(
          ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(3, 5L));
      int argmax = TappedZoo.argMax(logits);
      assertEquals(argmax, res.targetClass());
      assertEquals(TestData.softmaxAt(logits, argmax), res.targetOriginalProbability(), 1e-4f);
      for (int y = 0; y < 32; y++) {
        for (int xx = 0; xx < 32; xx++) {
          assertEquals(g[(y / 4) * 8 + xx / 4], res.probabilityMap().get(y * 32 + xx), 1e-5f, cls + " at " + y + "," + xx);
        }
      }
      // The masked image is scored by the classifier as usual.
      assertEquals(tz.maskedProbability(x, res), res.mask().targetProbability(), 1e-4f);
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
