package io.maskserve.zoo.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.testing.TestOnnxModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX files with huge metadata (doc strings, metadata_props) are refused before ONNX Runtime loads them. */
class OnnxMetadataLimitTest {

  private static final InputSpec INPUT =
      new InputSpec(4, 4, ResizeMode.RESIZE, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});
  private static final ClassifierRegistration REGISTRATION =
      new ClassifierRegistration("m", "1", List.of("a", "b"), INPUT, "", "");

  private final OnnxModelValidator validator = new OnnxModelValidator(OrtEnvironment.getEnvironment());

  @TempDir Path tmp;

  private static OnnxMl.ModelProto tiny() throws IOException {
    return OnnxMl.ModelProto.parseFrom(TestOnnxModels.classifier(4, 4, 2, "N"));
  }

  private String invalid(OnnxMl.ModelProto model) throws IOException {
    Path p = Files.write(tmp.resolve("m.onnx"), model.toByteArray());
    ZooException e = assertThrows(ZooException.class, () -> validator.validateClassifier(p, REGISTRATION));
    assertEquals(ZooException.Reason.INVALID_ARGUMENT, e.reason(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void modestMetadataIsAccepted() throws IOException {
    OnnxMl.ModelProto model = tiny().toBuilder()
        .setDocString("d".repeat(10_000))
        .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("author").setValue("someone"))
        .build();
    validator.validateClassifier(Files.write(tmp.resolve("ok.onnx"), model.toByteArray()), REGISTRATION);
  }

  @Test
  void hugeDocStringIsRefused() throws IOException {
    String msg = invalid(tiny().toBuilder().setDocString("d".repeat(2 << 20)).build());
    assertTrue(msg.contains("metadata") && msg.contains(String.valueOf(OnnxModelValidator.MAX_METADATA_BYTES)), msg);
  }

  @Test
  void hugeMetadataPropsAreRefused() throws IOException {
    OnnxMl.ModelProto.Builder b = tiny().toBuilder();
    for (int i = 0; i < 600; i++) {
      b.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("k" + i).setValue("v".repeat(2000)));
    }
    String msg = invalid(b.build());
    assertTrue(msg.contains("600 metadata entries"), msg);
  }

  @Test
  void hugeNodeDocStringsAreRefused() throws IOException {
    OnnxMl.ModelProto m = tiny();
    OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
    for (int i = 0; i < g.getNodeCount(); i++) {
      g.setNode(i, g.getNode(i).toBuilder().setDocString("n".repeat(700_000)));
    }
    assertTrue(invalid(m.toBuilder().setGraph(g).build()).contains("metadata"));
  }
}
