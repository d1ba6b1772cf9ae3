package io.maskserve.client;

import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.SaliencyMap;
import java.util.Objects;

/**
 * Reads {@link SaliencyMap}s ({@code ExplainResponse.saliency_map}: every method's map at the
 * classifier's input resolution, {@code height*width} float32 little-endian, row-major). The values
 * are raw, in the method's units (see {@code Method} in {@code explain.proto}); {@link #normalize}
 * rescales a map to [0,1] for display or for comparing methods by rank.
 */
public final class SaliencyMaps {

  private SaliencyMaps() {}

  /**
   * The map as {@code [height][width]}.
   *
   * @throws IllegalArgumentException if the size is invalid or {@code data} has the wrong length
   */
  public static float[][] toFloatArray(SaliencyMap map) {
    Objects.requireNonNull(map, "map");
    return FloatMaps.read(map.getHeight(), map.getWidth(), map.getData(), "saliency map");
  }

  /**
   * The saliency map of a response as {@code [height][width]}.
   *
   * @throws IllegalArgumentException if the response has no saliency map (e.g. a streamed error)
   */
  public static float[][] toFloatArray(ExplainResponse response) {
    Objects.requireNonNull(response, "response");
    if (!response.hasSaliencyMap()) {
      throw new IllegalArgumentException("the response has no saliency map"
          + (response.hasError() ? " (it is an error: " + response.getError().getMessage() + ")" : ""));
    }
    return toFloatArray(response.getSaliencyMap());
  }

  /**
   * A copy of {@code map} rescaled linearly to [0,1] (min to 0, max to 1); a constant map becomes
   * all zeros. NaN values become 0.
   */
  public static float[][] normalize(float[][] map) {
    Objects.requireNonNull(map, "map");
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float[] row : map) {
      for (float v : row) {
        if (!Float.isNaN(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    float range = max - min;
    float[][] out = new float[map.length][];
    for (int y = 0; y < map.length; y++) {
      out[y] = new float[map[y].length];
      for (int x = 0; x < map[y].length; x++) {
        float v = map[y][x];
        out[y][x] = Float.isNaN(v) || !(range > 0f) ? 0f : (v - min) / range;
      }
    }
    return out;
  }
}
