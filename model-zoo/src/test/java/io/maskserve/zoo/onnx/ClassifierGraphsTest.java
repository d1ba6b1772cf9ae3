package io.maskserve.zoo.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.autodiff.GradientTap;
import io.maskserve.zoo.testing.SharedData;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which graphs a classifier gets for which taps, and when the plain one is the file as given. */
class ClassifierGraphsTest {

  private static ModelProto load(String model) throws Exception {
    return ModelProto.parseFrom(Files.readAllBytes(SharedData.root().resolve("models/" + model + "/model.onnx")));
  }

  @Test
  void noTapsGiveThePlainGraphOnlyFoldedWhereThereArePads() throws Exception {
    ModelProto resnet = load("resnet20-cifar10");
    ClassifierGraphs r = ClassifierGraphs.of(resnet, List.of());
    assertTrue(r.plainUnchanged());
    assertSame(resnet, r.plain().orElseThrow(), "nothing to fold: the model given");
    assertTrue(r.tapped().isEmpty());

    ClassifierGraphs m = ClassifierGraphs.of(load("mobilenet_v2-imagenet"), List.of());
    assertFalse(m.plainUnchanged());
    assertEquals(5, m.padsFolded());
    assertTrue(m.plain().orElseThrow().getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("Pad")));
  }

  @Test
  void tapsGiveATappedGraphAndAPlainOneOnlyForABackwardTap() throws Exception {
    ModelProto mobilenet = load("mobilenet_v2-imagenet");
    String tap = "/features/features.18/features.18.2/Clip_output_0";
    ClassifierGraphs forward = ClassifierGraphs.of(mobilenet, List.of(tap));
    assertTrue(forward.plain().isEmpty(), "the tapped graph classifies too");
    assertEquals(5, forward.padsFolded());
    assertTrue(forward.tapped().orElseThrow().getGraph().getOutputList().stream()
        .anyMatch(o -> o.getName().equals(tap)));

    ClassifierGraphs backward = ClassifierGraphs.of(load("resnet20-cifar10"), List.of(GradientTap.GRAD_X_INPUT));
    assertTrue(backward.plain().isPresent() && backward.tapped().isPresent());
    assertEquals(1, backward.plain().orElseThrow().getGraph().getOutputCount());
  }
}
