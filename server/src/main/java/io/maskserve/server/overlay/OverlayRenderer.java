package io.maskserve.server.overlay;

import io.maskserve.server.sampling.PackedMask;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Renders a mask over the image it explains: removed pixels darkened, the boundary of the kept
 * region outlined in a thin bright line. Tiny classifier inputs (CIFAR's 32x32) are upscaled with
 * nearest neighbour first so that the result is legible and the outline stays one pixel thin
 * relative to the picture.
 */
public final class OverlayRenderer {

  /** Inputs whose longer side is at most this are upscaled by {@link #SMALL_SCALE}. */
  public static final int SMALL_SIDE = 64;

  /** Upscaling factor of small inputs. */
  public static final int SMALL_SCALE = 4;

  private static final float REMOVED_BRIGHTNESS = 0.25f;
  private static final int OUTLINE_RGB = 0xFFD400; // yellow: visible on dark and light pictures

  /** The scale applied to an image of this size. */
  public static int scaleFor(int height, int width) {
    return Math.max(height, width) <= SMALL_SIDE ? SMALL_SCALE : 1;
  }

  /** Renders the overlay as an RGB image. {@code image} must have the mask's size. */
  public BufferedImage render(BufferedImage image, PackedMask mask) {
    int h = mask.height();
    int w = mask.width();
    if (image.getHeight() != h || image.getWidth() != w) {
      throw new IllegalArgumentException(
          "image is " + image.getWidth() + "x" + image.getHeight() + ", mask is " + w + "x" + h);
    }
    int s = scaleFor(h, w);
    int oh = h * s;
    int ow = w * s;
    BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
    boolean[] keep = mask.unpack();
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sy = y / s;
        int sx = x / s;
        int rgb = image.getRGB(sx, sy) & 0xFFFFFF;
        boolean kept = keep[sy * w + sx];
        if (!kept) {
          rgb = darken(rgb);
        } else if (onBoundary(keep, h, w, s, x, y)) {
          rgb = OUTLINE_RGB;
        }
        out.setRGB(x, y, rgb);
      }
    }
    return out;
  }

  /** Renders the overlay as PNG bytes. */
  public byte[] renderPng(BufferedImage image, PackedMask mask) {
    BufferedImage out = render(image, mask);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.getWidth() * out.getHeight());
    try {
      if (!ImageIO.write(out, "png", bytes)) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  // A kept output pixel is on the outline when its 4-neighbour in the output grid maps to a
  // removed source pixel; drawing only on the kept side keeps the line thin and inside the region.
  private static boolean onBoundary(boolean[] keep, int h, int w, int s, int x, int y) {
    return removedAt(keep, h, w, s, x - 1, y)
        || removedAt(keep, h, w, s, x + 1, y)
        || removedAt(keep, h, w, s, x, y - 1)
        || removedAt(keep, h, w, s, x, y + 1);
  }

  private static boolean removedAt(boolean[] keep, int h, int w, int s, int x, int y) {
    if (x < 0 || y < 0 || x >= w * s || y >= h * s) {
      return false;
    }
    return !keep[(y / s) * w + x / s];
  }

  private static int darken(int rgb) {
    int r = Math.round(((rgb >> 16) & 0xFF) * REMOVED_BRIGHTNESS);
    int g = Math.round(((rgb >> 8) & 0xFF) * REMOVED_BRIGHTNESS);
    int b = Math.round((rgb & 0xFF) * REMOVED_BRIGHTNESS);
    return (r << 16) | (g << 8) | b;
  }
}
