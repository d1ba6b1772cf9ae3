package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.maskserve.v1.ProbabilityMap;
import org.junit.jupiter.api.Test;

class ProbabilityMapsTest {

  @Test
  void readsLittleEndianRowMajor() {
    // 1.0f = 0x3F800000, 0.5f = 0x3F000000, 0.25f = 0x3E800000, 0f; little-endian bytes.
    byte[] data = {
      0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x3f, 0, 0, 0, 0,
      0, 0, (byte) 0x80, 0x3e, 0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x3f,
    };
    ProbabilityMap map =
        ProbabilityMap.newBuilder().setHeight(2).setWidth(3).setData(ByteString.copyFrom(data)).build();
    float[][] p = ProbabilityMaps.toFloatArray(map);
    assertArrayEquals(new float[] {1f, 0.5f, 0f}, p[0]);
    assertArrayEquals(new float[] {0.25f, 1f, 0.5f}, p[1]);
  }

  @Test
  void rejectsWrongLength() {
    ProbabilityMap map =
        ProbabilityMap.newBuilder().setHeight(2).setWidth(2).setData(ByteString.copyFrom(new byte[12])).build();
    assertThrows(IllegalArgumentException.class, () -> ProbabilityMaps.toFloatArray(map));
  }
}
