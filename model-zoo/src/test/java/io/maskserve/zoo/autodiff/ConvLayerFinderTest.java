package io.maskserve.zoo.autodiff;

import static io.maskserve.zoo.onnx.OnnxGraphBuilder.intAttr;
import static io.maskserve.zoo.onnx.OnnxGraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import io.maskserve.zoo.testing.SharedData;
import io.maskserve.zoo.testing.TestOnnxModels;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConvLayerFinderTest {

  /**
   * x [N,3,8,8] -> Conv a (4ch, 8x8) -> Relu -> Conv b (4ch, stride 2: 4x4) -> Relu -> Conv c
   * (kernel 4: 1x1) -> Flatten -> logits. The last Conv is c, but its map is 1x1, so b is the
   * Grad-CAM layer; the Relu between them is a feature map but not a Conv output.
   */
  private static ModelProto threeConvs() {
    OnnxGraphBuilder b = new OnnxGraphBuilder("convs");
    String x = b.floatInput("x", "N", 3, 8, 8);
    String a = b.nodeTo("Conv", List.of(x, b.floatInitializer("wa", new float[4 * 3 * 9], 4, 3, 3, 3)), "a",
        ints("pads", 1, 1, 1, 1));
    String ra = b.nodeTo("Relu", List.of(a), "ra");
    String c2 = b.nodeTo("Conv", List.of(ra, b.floatInitializer("wb", new float[4 * 4 * 9], 4, 4, 3, 3)), "b",
        ints("pads", 1, 1, 1, 1), ints("strides", 2, 2));
    String rb = b.nodeTo("Relu", List.of(c2), "rb");
    String c3 = b.nodeTo("Conv", List.of(rb, b.floatInitializer("wc", new float[2 * 4 * 16], 2, 4, 4, 4)), "c");
    b.nodeTo("Flatten", List.of(c3), "logits", intAttr("axis", 1));
    b.floatOutput("logits", "N", 2);
    return b.buildModel(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
  }

  @Test
  void picksTheLastConvWithASpatialMap() {
    ConvLayerFinder f = ConvLayerFinder.of(threeConvs());
    assertEquals(Optional.of("b"), f.lastConv());
    assertEquals(List.of("a", "b"), f.convLayers());
    assertArrayEquals(new long[] {4, 4, 4}, f.featureShape("b").orElseThrow());
    assertArrayEquals(new long[] {2, 1, 1}, f.featureShape("c").orElseThrow());
    assertTrue(f.isFeatureMap("ra"));
    assertTrue(f.isFeatureMap("c"), "a 1x1 map is still a feature map one may name");
    assertFalse(f.isFeatureMap("logits"), "2-D");
    assertFalse(f.isFeatureMap("x"), "the input is not a node output");
    assertFalse(f.isFeatureMap("nope"));
    assertEquals(List.of("b", "a"), f.suggestions(5));
    assertEquals(List.of("b"), f.suggestions(1));
  }

  @Test
  void aGraphWithoutConvHasNoLayer() throws Exception {
    ConvLayerFinder f = ConvLayerFinder.of(ModelProto.parseFrom(TestOnnxModels.classifier(8, 8, 4, "N")));
    assertEquals(Optional.empty(), f.lastConv());
    assertTrue(f.suggestions(3).isEmpty());
  }

  @Test
  void dynamicSpatialSizeFallsBackToDeclaredShapes() {
    // The input's spatial size is symbolic, so the graph cannot be probed: only value_info counts.
    OnnxGraphBuilder b = new OnnxGraphBuilder("dyn");
    String x = b.floatInput("x", "N", 3, "H", "W");
    b.nodeTo("Conv", List.of(x, b.floatInitializer("w", new float[2 * 3], 2, 3, 1, 1)), "conv");
    b.nodeTo("ReduceMean", List.of("conv"), "logits", ints("axes", 2, 3), intAttr("keepdims", 0));
    b.floatOutput("logits", "N", 2);
    ModelProto m = b.buildModel(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET);
    assertEquals(Optional.empty(), ConvLayerFinder.of(m).lastConv());
    ModelProto declared = m.toBuilder().setGraph(m.getGraph().toBuilder().addValueInfo(
        ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("conv").setType(ai.onnx.proto.OnnxMl.TypeProto
            .newBuilder().setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder()
                .setElemType(OnnxGraphBuilder.floatType())
                .setShape(ai.onnx.proto.OnnxMl.TensorShapeProto.newBuilder()
                    .addDim(dim("N")).addDim(dim(2)).addDim(dim(5)).addDim(dim(5))))))).build();
    assertEquals(Optional.of("conv"), ConvLayerFinder.of(declared).lastConv());
  }

  private static ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension dim(Object d) {
    ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension.Builder b = ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension.newBuilder();
    return d instanceof String s ? b.setDimParam(s).build() : b.setDimValue(((Number) d).longValue()).build();
  }

  @Test
  void resnet20sLastConvIsTheLastBlocksSecondConvolution() throws Exception {
    ConvLayerFinder f = ConvLayerFinder.of(RealModelGradientTest.load(SharedData.resnet20Onnx()));
    assertEquals(Optional.of("/layer3/layer3.2/conv2/Conv_output_0"), f.lastConv());
    assertArrayEquals(new long[] {64, 8, 8}, f.featureShape("/layer3/layer3.2/conv2/Conv_output_0").orElseThrow());
    assertEquals(19, f.convLayers().size(), "ResNet-20: 1 stem + 9 blocks x 2 convolutions");
    assertTrue(f.isFeatureMap("/layer3/layer3.2/Relu_1_output_0"));
  }
}
