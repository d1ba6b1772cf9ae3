package io.maskserve.trainer.synth;

import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;

/** Constants of the synthetic task shared by the classifier, the trainer and the exporter. */
public final class SynthTask {

  /** Per-channel mean of the synthetic classifier's normalisation. */
  public static final float MEAN = 0.5f;

  /** Per-channel standard deviation of the synthetic classifier's normalisation. */
  public static final float STD = 0.25f;

  private SynthTask() {}

  /** The classifier input of synthetic scenes of side {@code size}. */
  public static InputSpec inputSpec(int size) {
    return new InputSpec(size, size, ResizeMode.RESIZE, new float[] {MEAN, MEAN, MEAN},
        new float[] {STD, STD, STD});
  }
}
