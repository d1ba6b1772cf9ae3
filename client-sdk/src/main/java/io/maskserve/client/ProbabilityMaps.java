package io.maskserve.client;

import io.maskserve.v1.ProbabilityMap;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Reads {@link ProbabilityMap#getData()}: {@code height*width} float32, little-endian, row-major. */
public final class ProbabilityMaps {

  private ProbabilityMaps() {}

  /**
   * The keep probabilities as {@code [height][width]}.
   *
   * @throws IllegalArgumentException if the size is invalid or {@code data} has the wrong length
   */
  public static float[][] toFloatArray(ProbabilityMap map) {
    int h = map.getHeight();
    int w = map.getWidth();
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException("probability map size must be positive, got " + h + "x" + w);
    }
    long expected = 4L * h * w;
    if (map.getData().size() != expected) {
      throw new IllegalArgumentException(
          "probability map " + h + "x" + w + " needs " + expected + " bytes, got " + map.getData().size());
    }
    FloatBuffer fb = map.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[][] out = new float[h][w];
    for (int y = 0; y < h; y++) {
      fb.get(out[y]);
    }
    return out;
  }
}
