package io.maskserve.zoo.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import java.awt.image.BufferedImage;

/**
 * Fuzzes {@link ImageDecoder} and {@link Preprocessor} with arbitrary bytes under small {@link
 * DecodeLimits}. The only exception allowed to escape is {@link InvalidInputException} (including
 * {@link ImageTooLargeException}); anything else (NPE, index out of bounds, OOM, stack overflow,
 * an ImageIO exception) is a finding. A decoded image must be RGB, within the limits, and give a
 * finite tensor of the input size.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the inputs in {@code ImageDecoderFuzzTestInputs/decode/}
 * as a regression test; see RELIABILITY.md for the fuzzing command.
 */
class ImageDecoderFuzzTest {

  /** Small limits keep each execution cheap and make the limit checks reachable. */
  static final DecodeLimits LIMITS = new DecodeLimits(64 * 1024, 128 * 128, 256);

  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};
  private static final Preprocessor STRETCH = new Preprocessor(new InputSpec(8, 6, ResizeMode.RESIZE, MEAN, STD));
  private static final Preprocessor CROP =
      new Preprocessor(new InputSpec(6, 8, ResizeMode.RESIZE_SHORTER_CENTER_CROP, MEAN, STD));

  @FuzzTest(maxDuration = "10m", maxExecutions = 100_000)
  void decode(byte[] data) {
    BufferedImage image;
    try {
      image = ImageDecoder.decode(data, LIMITS);
    } catch (InvalidInputException expected) {
      assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty(), "an error needs a message");
      return;
    }
    assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
    assertTrue((long) image.getWidth() * image.getHeight() <= LIMITS.maxPixels());
    assertTrue(image.getWidth() <= LIMITS.maxSide() && image.getHeight() <= LIMITS.maxSide());
    for (Preprocessor pre : new Preprocessor[] {STRETCH, CROP}) {
      float[] tensor = pre.toTensor(pre.prepareImage(image));
      assertEquals(pre.tensorLength(), tensor.length);
      for (float v : tensor) {
        assertTrue(Float.isFinite(v), "non-finite tensor value " + v);
      }
    }
  }
}
