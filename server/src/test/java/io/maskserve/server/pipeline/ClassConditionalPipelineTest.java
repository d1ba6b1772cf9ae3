package io.maskserve.server.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline with the real ResNet-20 and a class-conditional generator whose map is different
 * for every class ({@link TestData#conditionalMap}): each query gets the map of its own target,
 * also when several queries share one generator call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassConditionalPipelineTest {

  @TempDir static Path zoo;
  private ModelRegistry registry;
  private ExplanationPipeline pipeline;

  @BeforeAll
  void setUp() {
    ModelManifest m = TestData.populate(zoo, "1", TestData.conditionalGeneratorOnnx(), "class-conditional");
    assertTrue(m.generator().orElseThrow().classConditional());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    registry = new ModelRegistry(
        FileSystemZooStore.open(zoo, new OnnxModelValidator(env)), new SessionFactory(env, Device.CPU, 1, 1));
    pipeline = new ExplanationPipeline(
        registry, new MaskSampler(), new OverlayRenderer(), ServerLimits.builder().maxSamples(16).build());
  }

  @AfterAll
  void tearDown() {
    registry.close();
  }

  private static ExplainQuery query(String label, int index) {
    return ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(TestData.read(TestData.cifarImage(label, index))));
  }

  @Test
  void theRegistryLoadsItAsClassConditional() {
    try (ModelRegistry.Lease lease = registry.acquire(TestData.MODEL, "")) {
      assertTrue(lease.model().classConditional());
      assertTrue(lease.model().generator().takesTarget());
      assertEquals("image", lease.model().generator().inputName());
      assertFalse(lease.model().classifier().takesTarget());
    }
  }

  @Test
  void mergedQueriesEachGetTheirOwnTargetsMap() {
    ExplainQuery cat = query("cat", 806);
    ExplainQuery ship = query("ship", 807);
    List<ExplainQuery> queries = List.of(
        cat.withTarget(0),
        cat.withTarget(1),
        cat,
        ship.withTarget(1),
        ship,
        cat.withTarget(0).withSamples(4, 3L),
        cat.withTarget(7));
    // One explainBatch call: one classifier call, one generator call for all seven queries.
    List<Outcome> outcomes = pipeline.explainBatch(TestData.MODEL, "", queries);
    assertEquals(queries.size(), outcomes.size());
    int[] expectedTargets = new int[queries.size()];
    for (int i = 0; i < queries.size(); i++) {
      ExplanationResult r = outcomes.get(i).get();
      int top1 = r.predictions().get(0).classIndex();
      expectedTargets[i] = queries.get(i).targetClass().orElse(top1);
      assertEquals(expectedTargets[i], r.targetClass(), "query " + i);
      assertArrayEquals(TestData.conditionalMap(expectedTargets[i]), r.probabilityMap().values(), "query " + i);
      // The deterministic mask keeps exactly the target's cells (0.9 >= 0.5 > 0.1).
      for (int p = 0; p < 32 * 32; p++) {
        assertEquals(r.probabilityMap().get(p) >= 0.5f, r.mask().mask().kept(p));
      }
    }
    assertNotEquals(
        outcomes.get(0).get().mask().mask(), outcomes.get(1).get().mask().mask(), "classes 0 and 1 differ");
    assertEquals(4, outcomes.get(5).get().samples().size());

    // Merged or alone, a query's answer is the same.
    for (int i : new int[] {1, 2, 4}) {
      ExplanationResult alone = pipeline.explain(queries.get(i));
      assertEquals(expectedTargets[i], alone.targetClass());
      assertArrayEquals(alone.probabilityMap().values(), outcomes.get(i).get().probabilityMap().values());
    }
  }

  @Test
  void withoutTargetTheTopOneIsExplained() {
    ExplanationResult r = pipeline.explain(query("ship", 812));
    int top1 = r.predictions().get(0).classIndex();
    assertEquals(top1, r.targetClass());
    assertArrayEquals(TestData.conditionalMap(top1), r.probabilityMap().values());
    // The map needs the prediction first: the classifier ran its own pass before the generator.
    assertTrue(r.timings().classifyMicros() > 0);
  }
}
