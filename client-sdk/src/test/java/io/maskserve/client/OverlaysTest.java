package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maskserve.v1.Mask;
import io.maskserve.v1.ResizeMode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class OverlaysTest {

  private static final int WHITE = 0xffffff;
  private static final int DARK = 0x4c4c4c; // 255 * 0.3 = 76

  private static BufferedImage white(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, WHITE);
      }
    }
    return img;
  }

  private static int rgb(BufferedImage img, int x, int y) {
    return img.getRGB(x, y) & 0xffffff;
  }

  @Test
  void scalesTheMaskToTheOriginalAndDarkensRemovedPixels() {
    Mask mask = Masks.pack(new boolean[][] {{true, false}, {false, true}});
    BufferedImage out = Overlays.render(white(4, 6), mask);
    assertEquals(4, out.getWidth());
    assertEquals(6, out.getHeight());
    assertEquals(WHITE, rgb(out, 0, 0));
    assertEquals(WHITE, rgb(out, 1, 2));
    assertEquals(DARK, rgb(out, 2, 0));
    assertEquals(DARK, rgb(out, 3, 2));
    assertEquals(DARK, rgb(out, 0, 3));
    assertEquals(WHITE, rgb(out, 3, 5));
  }

  @Test
  void centreCropDarkensWhatTheClassifierDidNotSee() {
    Mask all = Masks.pack(new boolean[][] {{true, true}, {true, true}});
    // 8x4 image, 2x2 input: the shorter side (4) is scaled to 2, the centre 4x4 is cropped.
    BufferedImage out = Overlays.render(white(8, 4), all, ResizeMode.RESIZE_SHORTER_CENTER_CROP);
    assertEquals(DARK, rgb(out, 0, 0));
    assertEquals(DARK, rgb(out, 1, 3));
    assertEquals(WHITE, rgb(out, 2, 0));
    assertEquals(WHITE, rgb(out, 5, 3));
    assertEquals(DARK, rgb(out, 6, 1));
  }

  @Test
  void pngRoundTrips() throws Exception {
    Mask mask = Masks.pack(new boolean[][] {{false, true}});
    byte[] png = Overlays.renderPng(white(10, 5), mask);
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(10, back.getWidth());
    assertEquals(5, back.getHeight());
    assertEquals(DARK, rgb(back, 0, 0));
    assertEquals(WHITE, rgb(back, 9, 4));
  }
}
