package io.maskserve.server.registry;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.TestData;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradientModelsTest {

  private static final SessionFactory SESSIONS = new SessionFactory(OrtEnvironment.getEnvironment(), Device.CPU, 1, 1);

  /** x [N,3,4,4] -> Conv a -> Relu r1 -> ... -> Relu r4 -> ReduceMean -> logits [N,2]: five feature maps. */
  private static byte[] chain() {
    OnnxGraphBuilder b = new OnnxGraphBuilder("chain");
    String x = b.floatInput("x", "N", 3, 4, 4);
    float[] w = new float[2 * 3 * 9];
    for (int i = 0; i < w.length; i++) {
      w[i] = (i % 5) * 0.1f - 0.2f;
    }
    String t = b.nodeTo("Conv", List.of(x, b.floatInitializer("w", w, 2, 3, 3, 3)), "a", ints("pads", 1, 1, 1, 1));
    for (int i = 1; i <= 4; i++) {
      t = b.nodeTo("Relu", List.of(t), "r" + i);
    }
    b.nodeTo("ReduceMean", List.of(t), "logits", ints("axes", 2, 3), intAttr("keepdims", 0));
    b.floatOutput("logits", "N", 2);
    return b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  @Test
  void layerModelsAreCachedUpToTheLimitAndClosedWithTheModels() throws Exception {
    GradientModels g = GradientModels.inMemory("chain", chain(), SESSIONS);
    OnnxModel input = g.inputGradient();
    assertSame(input, g.inputGradient(), "opened once");
    assertEquals(Optional.of("a"), g.layers().lastConv());
    List<String> layers = List.of("a", "r1", "r2", "r3", "r4");
    assertTrue(layers.size() > GradientModels.MAX_CACHED_LAYERS);
    List<OnnxModel> first = new ArrayList<>();
    for (String layer : layers) {
      try (GradientModels.LayerModel m = g.layerGradient(layer)) {
        first.add(m.model());
        float[] grad = m.model().run(new float[48], new long[] {1, 3, 4, 4}, new long[] {0},
            Set.of(layer, layer + Autodiff.GRAD_SUFFIX)).get(layer + Autodiff.GRAD_SUFFIX).values();
        assertEquals(2 * 16, grad.length);
      }
    }
    for (int i = 0; i < layers.size(); i++) {
      try (GradientModels.LayerModel m = g.layerGradient(layers.get(i))) {
        if (i < GradientModels.MAX_CACHED_LAYERS) {
          assertSame(first.get(i), m.model(), layers.get(i) + " is cached");
        } else {
          assertNotSame(first.get(i), m.model(), layers.get(i) + " is built per call beyond the limit");
        }
      }
    }
    g.close();
    assertThrows(IllegalStateException.class, g::inputGradient);
    assertThrows(IllegalStateException.class, () -> g.layerGradient("a"));
  }

  @Test
  void aZooModelUsesTheStoresCachedGradientFileAndClosesItsSessionsWithTheModel(@TempDir Path zoo) throws Exception {
    TestData.populate(zoo, "1", 8);
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    LoadedModel model;
    try (ModelRegistry registry = new ModelRegistry(store, SESSIONS);
        ModelRegistry.Lease lease = registry.acquire(TestData.MODEL, "1")) {
      model = lease.model();
      GradientModels g = model.gradients().orElseThrow();
      assertEquals(Set.of("input", Autodiff.TARGET), g.inputGradient().inputNames());
      assertTrue(Files.isRegularFile(zoo.resolve("resnet20/1").resolve(FileSystemZooStore.GRADIENT_FILE)),
          "built through the store, which caches the file beside the classifier");
    }
    assertTrue(model.isClosed());
    assertThrows(IllegalStateException.class, () -> model.gradients().orElseThrow().inputGradient());
  }
}
