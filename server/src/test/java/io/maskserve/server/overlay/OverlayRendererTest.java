package io.maskserve.server.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maskserve.server.sampling.PackedMask;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class OverlayRendererTest {

  private final OverlayRenderer renderer = new OverlayRenderer();

  private static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  @Test
  void darkensRemovedPixelsOutlinesTheKeptRegionAndUpscalesTinyInputs() throws Exception {
    boolean[] keep = new boolean[8 * 8];
    for (int y = 2; y < 6; y++) {
      for (int x = 2; x < 6; x++) {
        keep[y * 8 + x] = true;
      }
    }
    byte[] png = renderer.renderPng(solid(8, 8, 0xC0C0C0), PackedMask.pack(8, 8, keep));
    BufferedImage out = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(32, out.getWidth());
    assertEquals(32, out.getHeight());
    assertEquals(0x303030, out.getRGB(0, 0) & 0xFFFFFF, "removed: darkened to a quarter");
    assertEquals(0xC0C0C0, out.getRGB(16, 16) & 0xFFFFFF, "kept interior: unchanged");
    assertEquals(0xFFD400, out.getRGB(8, 16) & 0xFFFFFF, "first kept column: outline");
    assertEquals(0xC0C0C0, out.getRGB(9, 16) & 0xFFFFFF, "outline is one pixel thin");
  }

  @Test
  void largeInputsAreNotUpscaled() {
    BufferedImage out = renderer.render(solid(100, 80, 0x102030), PackedMask.pack(80, 100, new boolean[8000]));
    assertEquals(100, out.getWidth());
    assertNotEquals(0x102030, out.getRGB(5, 5) & 0xFFFFFF);
    assertThrows(IllegalArgumentException.class,
        () -> renderer.render(solid(10, 10, 0), PackedMask.pack(8, 8, new boolean[64])));
  }
}
