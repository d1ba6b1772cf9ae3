package io.maskserve.trainer.synth;

/**
 * How synthetic scenes are drawn.
 *
 * @param size image side in pixels (square images)
 * @param minObject smallest target object side in pixels
 * @param maxObject largest target object side in pixels
 * @param maxDistractors up to this many distractors (small blobs and stripes) per scene
 */
public record SceneConfig(int size, int minObject, int maxObject, int maxDistractors) {

  public SceneConfig {
    if (size < 16 || size > 1024) {
      throw new IllegalArgumentException("scene size must be in [16,1024], got " + size);
    }
    if (minObject < 6 || maxObject < minObject || maxObject > size - 4) {
      throw new IllegalArgumentException("object size range [" + minObject + "," + maxObject
          + "] does not fit a " + size + "px scene (needs 6 <= min <= max <= size-4)");
    }
    if (maxDistractors < 0) {
      throw new IllegalArgumentException("maxDistractors must be >= 0");
    }
  }

  /** Scenes of {@code size} pixels with object sizes and distractor counts scaled to it. */
  public static SceneConfig ofSize(int size) {
    // Objects between ~22% and ~40% of the side: large enough to be told apart after pooling,
    // small enough that a mask keeping only the object keeps well under a quarter of the pixels.
    // Below 64 px the shapes need at least 12 px to stay distinguishable (a rasterised 8 px circle
    // and square differ by a handful of corner pixels).
    int min = Math.max(Math.min(12, size / 3), Math.round(size * 0.22f));
    int max = Math.max(Math.min(min + 6, size - 4), Math.round(size * 0.40f));
    return new SceneConfig(size, min, max, Math.max(2, size / 10));
  }
}
