package io.maskserve.zoo.autodiff;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.testing.SharedData;
import io.maskserve.zoo.testing.TestOnnxModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutodiffApiTest {

  private static ModelProto classifierWith(String op) {
    OnnxGraphBuilder b = new OnnxGraphBuilder("c");
    String x = b.floatInput("x", "N", 3, 8, 8);
    String y = b.nodeTo(op, List.of(x), "odd");
    String pooled = b.node("ReduceMean", List.of(y), ints("axes", 2, 3), OnnxGraphBuilder.intAttr("keepdims", 0));
    b.nodeTo("MatMul", List.of(pooled, b.floatInitializer("w", new float[6], 3, 2)), "logits");
    b.floatOutput("logits", "N", 2);
    return b.buildModel(8, 17);
  }

  @Test
  void unsupportedOpOnThePathNamesOpAndNode() {
    ModelProto m = classifierWith("Softplus");
    UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> Autodiff.check(m));
    assertEquals("Softplus", e.opType());
    assertEquals("odd_node", e.nodeName());
    assertTrue(e.getMessage().contains("Softplus") && e.getMessage().contains("odd_node"), e.getMessage());
    assertThrows(UnsupportedOpException.class, () -> Autodiff.augment(m, AutodiffOptions.logit()));
  }

  @Test
  void unsupportedConfigurationIsReported() {
    OnnxGraphBuilder b = new OnnxGraphBuilder("c");
    String x = b.floatInput("x", "N", 3, 8, 8);
    String y = b.nodeTo("Pad", List.of(x, b.int64Initializer("p", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8)), "padded",
        io.maskserve.zoo.autodiff.GradEmitter.sAttr("mode", "reflect"));
    b.nodeTo("ReduceMean", List.of(y), "logits", ints("axes", 2, 3), OnnxGraphBuilder.intAttr("keepdims", 0));
    b.floatOutput("logits", "N", 3);
    UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> Autodiff.check(b.buildModel(8, 17)));
    assertTrue(e.getMessage().contains("reflect"), e.getMessage());
  }

  @Test
  void opsOffTheGradientPathNeedNoRule() {
    // a Softplus on a constant does not depend on the input
    OnnxGraphBuilder b = new OnnxGraphBuilder("c");
    String x = b.floatInput("x", "N", 3);
    String k = b.node("Softplus", List.of(b.floatInitializer("k", new float[] {1, 2, 3}, 3)));
    b.nodeTo("Mul", List.of(x, k), "logits");
    b.floatOutput("logits", "N", 3);
    assertDoesNotThrow(() -> Autodiff.augment(b.buildModel(8, 17), AutodiffOptions.logit()));
  }

  @Test
  void realModelsPassTheCheck() throws Exception {
    assertDoesNotThrow(() -> Autodiff.check(RealModelGradientTest.load(SharedData.resnet20Onnx())));
    assertDoesNotThrow(() -> Autodiff.check(
        RealModelGradientTest.load(SharedData.root().resolve("models/mobilenet_v2-imagenet/model.onnx"))));
    assertDoesNotThrow(() -> Autodiff.check(ModelProto.parseFrom(TestOnnxModels.classifier(8, 8, 4, "N"))));
  }

  @Test
  void badOptionsAreRejected() throws Exception {
    ModelProto m = ModelProto.parseFrom(TestOnnxModels.classifier(8, 8, 4, "N"));
    assertThrows(IllegalArgumentException.class,
        () -> Autodiff.augment(m, AutodiffOptions.logit().withLayers(List.of("no_such_tensor"))));
    ModelProto old = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(11)).build();
    assertThrows(IllegalArgumentException.class, () -> Autodiff.check(old));
    ModelProto aug = Autodiff.augment(m, new AutodiffOptions(AutodiffOptions.Score.LOG_SOFTMAX, List.of()));
    assertEquals(List.of("x", "target"), aug.getGraph().getInputList().stream().map(v -> v.getName()).toList());
    assertEquals(List.of("logits", "input_grad"), aug.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
    assertThrows(IllegalArgumentException.class, () -> Autodiff.augment(aug, AutodiffOptions.logit()),
        "target already exists");
  }
}
