package io.maskserve.client;

import com.google.protobuf.ByteString;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Reads the float32 little-endian row-major maps of the responses. */
final class FloatMaps {

  private FloatMaps() {}

  /**
   * {@code data} as {@code [height][width]}.
   *
   * @param what the map's name, for error messages
   * @throws IllegalArgumentException if the size is invalid or {@code data} has the wrong length
   */
  static float[][] read(int h, int w, ByteString data, String what) {
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException(what + " size must be positive, got " + h + "x" + w);
    }
    long expected = 4L * h * w;
    if (data.size() != expected) {
      throw new IllegalArgumentException(
          what + " " + h + "x" + w + " needs " + expected + " bytes, got " + data.size());
    }
    FloatBuffer fb = data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[][] out = new float[h][w];
    for (int y = 0; y < h; y++) {
      fb.get(out[y]);
    }
    return out;
  }
}
