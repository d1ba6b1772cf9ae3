package io.maskserve.client;

import io.maskserve.v1.ProbabilityMap;

/** Reads {@link ProbabilityMap#getData()}: {@code height*width} float32, little-endian, row-major. */
public final class ProbabilityMaps {

  private ProbabilityMaps() {}

  /**
   * The keep probabilities as {@code [height][width]}.
   *
   * @throws IllegalArgumentException if the size is invalid or {@code data} has the wrong length
   */
  public static float[][] toFloatArray(ProbabilityMap map) {
    return FloatMaps.read(map.getHeight(), map.getWidth(), map.getData(), "probability map");
  }
}
