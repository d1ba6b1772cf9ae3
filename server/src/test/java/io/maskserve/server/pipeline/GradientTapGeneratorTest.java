package io.maskserve.server.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.TestData;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.zoo.autodiff.GradientTap;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generator reading the classifier's gradient × input ({@link GradientTap}): registration
 * accepts it, the pipeline feeds it from the one tapped pass, and masked images are scored by the
 * plain classifier session (the tapped one would run a backward pass for every mask).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GradientTapGeneratorTest {

  @TempDir static Path zoo;
  private TappedZoo tz;

  @BeforeAll
  void setUp() throws Exception {
    tz = new TappedZoo(zoo, ReferenceGenerators.featureActivationGenerator(GradientTap.GRAD_X_INPUT, 1, 32, 32),
        List.of(GradientTap.GRAD_X_INPUT));
    assertEquals(List.of(GradientTap.GRAD_X_INPUT),
        tz.store.latest(TestData.MODEL, true).orElseThrow().generator().orElseThrow().features());
  }

  @AfterAll
  void tearDown() throws Exception {
    tz.close();
  }

  @Test
  void theGeneratorReadsTheGradientAndMasksAreScoredByThePlainClassifier() throws Exception {
    try (ModelRegistry.Lease lease = tz.registry.acquire(TestData.MODEL, "")) {
      assertEquals(Set.of("logits"), Set.copyOf(lease.model().classifier().outputNames()));
      assertEquals(Set.of("logits", GradientTap.GRAD_X_INPUT),
          Set.copyOf(lease.model().featureClassifier().outputNames()));
      assertNotSame(lease.model().classifier(), lease.model().featureClassifier());
    }
    for (String cls : List.of("ship", "cat")) {
      byte[] jpeg = TestData.read(TestData.cifarImage(cls, 831));
      float[] x = TappedZoo.tensor(jpeg);
      float[] g = TestData.runFirstOutput(tz.env, tz.generator, tz.classifierTensor(x, GradientTap.GRAD_X_INPUT),
          1, 1, 32, 32);
      ExplanationResult res = tz.pipeline.explain(
          ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)).withSamples(2, 9L));
      assertEquals(TappedZoo.argMax(tz.logits(x)), res.targetClass());
      for (int p = 0; p < 1024; p++) {
        assertEquals(g[p], res.probabilityMap().get(p), 1e-5f, cls + " at " + p);
      }
      assertEquals(tz.maskedProbability(x, res), res.mask().targetProbability(), 1e-4f);
    }
  }

  /**
   * The decoder shipped in {@code models/} (trained with this tap on the training split), served:
   * on held-out images, deleting the tenth of the pixels its map ranks highest lowers the top-1
   * probability far more than deleting the tenth it ranks lowest; a map that ignored what it reads
   * would not. (A random tenth is no yardstick here: scattered grey pixels alone cost ResNet-20
   * about half its confidence.) The deletion and insertion curves against the vanilla gradient are
   * the cli module's {@code ShippedGeneratorQualityTest}'s and BENCHMARKS.md's.
   */
  @Test
  void theShippedGradientDecoderRanksPixelsTheClassifierNeeds(@TempDir Path shippedZoo) throws Exception {
    Path shipped = Path.of("").toAbsolutePath().getParent()
        .resolve("models/resnet20-cifar10/generator-gradient-decoder.onnx");
    List<String> taps = List.of("/layer3/layer3.2/Relu_1_output_0", "/layer2/layer2.2/Relu_1_output_0",
        GradientTap.GRAD_X_INPUT);
    double top = 0;
    double bottom = 0;
    int n = 0;
    try (TappedZoo served = new TappedZoo(shippedZoo, TestData.read(shipped), taps)) {
      assertEquals(taps, served.store.latest(TestData.MODEL, true).orElseThrow().generator().orElseThrow().features());
      for (String cls : TestData.labels()) {
        for (int file = 900; file < 903; file++) {
          byte[] jpeg = TestData.read(TestData.cifarImage(cls, file));
          float[] x = TappedZoo.tensor(jpeg);
          ExplanationResult res = served.pipeline.explain(ExplainQuery.of(TestData.MODEL, new ImageInput.Encoded(jpeg)));
          Integer[] order = new Integer[1024];
          Arrays.setAll(order, p -> p);
          Arrays.sort(order, (a, b) -> Float.compare(res.probabilityMap().get(b), res.probabilityMap().get(a)));
          float p0 = res.targetOriginalProbability();
          top += p0 - deleted(served, x, Arrays.asList(order).subList(0, 102), res.targetClass());
          bottom += p0 - deleted(served, x, Arrays.asList(order).subList(1024 - 102, 1024), res.targetClass());
          n++;
        }
      }
    }
    top /= n;
    bottom /= n;
    String figures = String.format(Locale.ROOT, "mean drop of p(top-1) over %d images: top tenth %.3f,"
        + " bottom tenth %.3f", n, top, bottom);
    assertTrue(top > bottom + 0.1, figures);
  }

  /** p(target) with {@code pixels} set to 0 (the dataset mean) in every channel. */
  private static float deleted(TappedZoo z, float[] x, List<Integer> pixels, int target) throws Exception {
    float[] masked = x.clone();
    for (int p : pixels) {
      masked[p] = masked[1024 + p] = masked[2048 + p] = 0f;
    }
    return TestData.softmaxAt(z.logits(masked), target);
  }
}
