package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maskserve.v1.ExplainRequest;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainRequestsTest {

  @Test
  void keepsTheFileBytesAsEncoded(@TempDir Path dir) throws Exception {
    Path img = dir.resolve("cat.jpg");
    byte[] bytes = {(byte) 0xff, (byte) 0xd8, 1, 2, 3};
    Files.write(img, bytes);
    ExplainRequest r = ExplainRequests.fromImageFile(img, "resnet20");
    assertEquals("resnet20", r.getModel());
    assertEquals("", r.getVersion());
    assertEquals(ExplainRequest.ImageCase.ENCODED, r.getImageCase());
    assertArrayEquals(bytes, r.getEncoded().toByteArray());
    assertEquals("cat.jpg", r.getRequestId());
  }

  @Test
  void missingFileIsAnUncheckedIoException(@TempDir Path dir) {
    assertThrows(
        UncheckedIOException.class, () -> ExplainRequests.fromImageFile(dir.resolve("nope.png"), "m"));
  }

  @Test
  void tensorIsLittleEndianNchw() {
    float[] chw = new float[3 * 2 * 2];
    for (int i = 0; i < chw.length; i++) {
      chw[i] = i * 0.5f;
    }
    ExplainRequest r = ExplainRequests.fromTensor("m", chw, 2, 2);
    assertEquals(java.util.List.of(1L, 3L, 2L, 2L), r.getTensor().getShapeList());
    ByteBuffer b = r.getTensor().getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    for (float v : chw) {
      assertEquals(v, b.getFloat());
    }
    assertThrows(IllegalArgumentException.class, () -> ExplainRequests.fromTensor("m", chw, 2, 3));
  }
}
