package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.SaliencyMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SaliencyMapsTest {

  private static SaliencyMap map(int h, int w, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return SaliencyMap.newBuilder().setHeight(h).setWidth(w).setData(ByteString.copyFrom(b.array())).build();
  }

  @Test
  void readsRawValuesLittleEndianRowMajor() {
    // Raw values outside [0,1]: a saliency map is not a probability map.
    byte[] data = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0, 0, 0, 0x20, 0x41, 0, 0, 0, 0};
    SaliencyMap m = SaliencyMap.newBuilder().setHeight(2).setWidth(2).setData(ByteString.copyFrom(data)).build();
    float[][] s = SaliencyMaps.toFloatArray(m);
    assertArrayEquals(new float[] {1f, -2f}, s[0]);
    assertArrayEquals(new float[] {10f, 0f}, s[1]);
    float[][] fromResponse = SaliencyMaps.toFloatArray(ExplainResponse.newBuilder().setSaliencyMap(m).build());
    assertArrayEquals(s[1], fromResponse[1]);
  }

  @Test
  void rejectsWrongSizesAndMissingMaps() {
    assertThrows(IllegalArgumentException.class, () -> SaliencyMaps.toFloatArray(map(2, 2, 1f, 2f, 3f)));
    assertThrows(IllegalArgumentException.class, () -> SaliencyMaps.toFloatArray(map(0, 2)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaliencyMaps.toFloatArray(
        ExplainResponse.newBuilder()
            .setError(com.google.rpc.Status.newBuilder().setCode(3).setMessage("bad image"))
            .build()));
    assertTrue(e.getMessage().contains("bad image"), e.getMessage());
  }

  @Test
  void normalizesToTheUnitIntervalAndKeepsConstantMapsAtZero() {
    float[][] n = SaliencyMaps.normalize(new float[][] {{-2f, 0f}, {2f, Float.NaN}});
    assertArrayEquals(new float[] {0f, 0.5f}, n[0]);
    assertArrayEquals(new float[] {1f, 0f}, n[1]);
    float[][] c = SaliencyMaps.normalize(new float[][] {{3f, 3f}});
    assertArrayEquals(new float[] {0f, 0f}, c[0]);
  }
}
