package io.maskserve.cli.demo;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** The images the demo writes besides the scene and the overlay. */
public final class DemoImages {

  private DemoImages() {}

  /**
   * A keep-probability map as an 8-bit grey image, one pixel per value: black = 0 (the generator
   * removes the pixel), white = 1 (it keeps it). Values outside [0,1] are clamped, NaN is black.
   *
   * @param p {@code [height][width]} keep probabilities
   */
  public static BufferedImage keepProbability(float[][] p) {
    int h = p.length;
    int w = h == 0 ? 0 : p[0].length;
    if (h == 0 || w == 0) {
      throw new IllegalArgumentException("empty probability map");
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = img.getRaster();
    for (int y = 0; y < h; y++) {
      if (p[y].length != w) {
        throw new IllegalArgumentException("ragged probability map");
      }
      for (int x = 0; x < w; x++) {
        float v = p[y][x];
        float c = Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v));
        raster.setSample(x, y, 0, Math.round(c * 255f));
      }
    }
    return img;
  }

  /** A row-major object mask as an 8-bit grey image, white on the object. */
  public static BufferedImage objectMask(boolean[] mask, int width, int height) {
    if (mask.length != width * height) {
      throw new IllegalArgumentException("mask has " + mask.length + " values, not " + width + "x" + height);
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = img.getRaster();
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setSample(x, y, 0, mask[y * width + x] ? 255 : 0);
      }
    }
    return img;
  }

  /** The image encoded as PNG. */
  public static byte[] png(BufferedImage image) {
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
}
