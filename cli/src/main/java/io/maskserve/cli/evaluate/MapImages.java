package io.maskserve.cli.evaluate;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** The small pictures of the report's gallery, one pixel per input pixel. */
final class MapImages {

  /** Brightness of the pixels a mask removes (as the client's overlays). */
  static final float REMOVED_BRIGHTNESS = 0.3f;

  /** Anchors of the colour scale (an approximation of matplotlib's inferno), low to high. */
  private static final int[][] SCALE = {
    {0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}
  };

  private MapImages() {}

  /** A map min-max normalised and coloured (dark = low, bright yellow = high); NaN is dark. */
  static BufferedImage heat(float[] map, int height, int width) {
    float[] n = ChunkScorer.minMax(map);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, colour(n[y * width + x]));
      }
    }
    return img;
  }

  /** {@code picture} with the pixels not in {@code kept} darkened. */
  static BufferedImage darkenOutside(BufferedImage picture, boolean[] kept) {
    int w = picture.getWidth();
    int h = picture.getHeight();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = picture.getRGB(x, y);
        if (!kept[y * w + x]) {
          int r = Math.round(((rgb >> 16) & 0xFF) * REMOVED_BRIGHTNESS);
          int g = Math.round(((rgb >> 8) & 0xFF) * REMOVED_BRIGHTNESS);
          int b = Math.round((rgb & 0xFF) * REMOVED_BRIGHTNESS);
          rgb = (r << 16) | (g << 8) | b;
        }
        img.setRGB(x, y, rgb & 0xFFFFFF);
      }
    }
    return img;
  }

  /** Colour of the ground-truth box outlines. */
  static final int BOX_COLOUR = 0x00FF40;

  /**
   * {@code image} with the outlines of {@code boxes} (input coordinates, {@code [x0,x1) x [y0,y1)})
   * drawn one pixel wide; {@code image} itself when there are none.
   */
  static BufferedImage withBoxes(BufferedImage image, java.util.List<io.maskserve.trainer.metrics.Box> boxes) {
    if (boxes == null || boxes.isEmpty()) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.getGraphics().drawImage(image, 0, 0, null);
    for (io.maskserve.trainer.metrics.Box b : boxes) {
      int x0 = clamp((int) Math.floor(b.x0()), w);
      int y0 = clamp((int) Math.floor(b.y0()), h);
      int x1 = clamp((int) Math.ceil(b.x1()) - 1, w);
      int y1 = clamp((int) Math.ceil(b.y1()) - 1, h);
      for (int x = x0; x <= x1; x++) {
        out.setRGB(x, y0, BOX_COLOUR);
        out.setRGB(x, y1, BOX_COLOUR);
      }
      for (int y = y0; y <= y1; y++) {
        out.setRGB(x0, y, BOX_COLOUR);
        out.setRGB(x1, y, BOX_COLOUR);
      }
    }
    return out;
  }

  private static int clamp(int v, int size) {
    return Math.max(0, Math.min(size - 1, v));
  }

  /** The image as PNG bytes. */
  static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The colour of a value in [0,1], linear between the anchors. */
  static int colour(float v) {
    float t = Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v)) * (SCALE.length - 1);
    int i = Math.min(SCALE.length - 2, (int) t);
    float f = t - i;
    int rgb = 0;
    for (int c = 0; c < 3; c++) {
      rgb = (rgb << 8) | Math.round(SCALE[i][c] + (SCALE[i + 1][c] - SCALE[i][c]) * f);
    }
    return rgb;
  }
}
