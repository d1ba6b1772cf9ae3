package io.maskserve.zoo.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import java.awt.image.BufferedImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Preprocessor#region} agrees with where {@link Preprocessor#prepareImage} puts things. */
class PreprocessorRegionTest {

  @ParameterizedTest
  @CsvSource({"RESIZE,300,200", "RESIZE_SHORTER_CENTER_CROP,300,200", "RESIZE_SHORTER_CENTER_CROP,200,333",
      "RESIZE_SHORTER_CENTER_CROP,227,227", "RESIZE,64,64"})
  void aMarkedBlockLandsWhereTheRegionSays(ResizeMode mode, int width, int height) {
    int side = 32;
    Preprocessor p = new Preprocessor(new InputSpec(side, side, mode, new float[] {0, 0, 0}, new float[] {1, 1, 1}));
    InputRegion r = p.region(width, height);
    assertEquals(width, r.originalWidth());
    assertEquals(height, r.originalHeight());
    // A white block around an original point inside the covered region.
    double cx = r.x0() + 0.3 * (r.x1() - r.x0());
    double cy = r.y0() + 0.6 * (r.y1() - r.y0());
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int half = Math.max(width, height) / 16;
    for (int y = (int) cy - half; y <= (int) cy + half; y++) {
      for (int x = (int) cx - half; x <= (int) cx + half; x++) {
        img.setRGB(x, y, 0xFFFFFF);
      }
    }
    BufferedImage prepared = p.prepareImage(img);
    // The block's centroid in the prepared image is where the region maps the point.
    double sx = 0;
    double sy = 0;
    double n = 0;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        double w = (prepared.getRGB(x, y) & 0xFF) / 255.0;
        sx += w * (x + 0.5);
        sy += w * (y + 0.5);
        n += w;
      }
    }
    assertEquals(r.toInputX(cx + 0.5), sx / n, 0.6);
    assertEquals(r.toInputY(cy + 0.5), sy / n, 0.6);
    assertEquals(cx, r.toOriginalX(r.toInputX(cx)), 1e-9);
  }
}
