package io.maskserve.trainer.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import org.junit.jupiter.api.Test;

/** The classifier's augmentation removes background only, as a mask would, reproducibly. */
class BackgroundMaskingTest {

  @Test
  void removesBackgroundCellsNeverTheObject() {
    LabelledImages scenes = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(32), 3), 0, 40,
        SynthTask.inputSpec(32));
    BackgroundMasking always = new BackgroundMasking(1.0, 2, 4);
    LabelledImages a = always.apply(scenes, 5);
    assertArrayEquals(a.pixels(), always.apply(scenes, 5).pixels(), "same seed, same augmentation");
    int plane = 32 * 32;
    long removed = 0;
    for (int i = 0; i < scenes.size(); i++) {
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < 3; c++) {
          int q = i * 3 * plane + c * plane + p;
          if (scenes.masks()[i][p]) {
            assertEquals(scenes.pixels()[q], a.pixels()[q], "object pixel changed in scene " + i);
          } else if (a.pixels()[q] != scenes.pixels()[q]) {
            assertEquals(0f, a.pixels()[q], "a changed pixel is the dataset mean");
            removed++;
          }
        }
      }
    }
    assertTrue(removed > 40L * plane / 10, "removed only " + removed + " background values");
    assertArrayEquals(scenes.pixels(), new BackgroundMasking(0.0, 2).apply(scenes, 5).pixels());
  }
}
