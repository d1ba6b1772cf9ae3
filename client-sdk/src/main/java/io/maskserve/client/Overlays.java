package io.maskserve.client;

import io.maskserve.v1.Mask;
import io.maskserve.v1.ResizeMode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Draws a mask over the image it explains: kept pixels unchanged, removed pixels darkened. The
 * mask (at the classifier's input resolution) is scaled to the original image's size with
 * nearest-neighbour sampling.
 */
public final class Overlays {

  /** Brightness left to removed pixels. */
  public static final float REMOVED_BRIGHTNESS = 0.3f;

  private Overlays() {}

  /**
   * The overlay for a model that plainly resizes images ({@code RESIZE}): the mask is stretched
   * over the whole image.
   */
  public static BufferedImage render(BufferedImage original, Mask mask) {
    return render(original, mask, ResizeMode.RESIZE);
  }

  /**
   * The overlay for a model with the given resize mode. With {@code RESIZE_SHORTER_CENTER_CROP}
   * the mask covers the centre crop the classifier saw; the pixels outside it are darkened too
   * (the classifier never saw them).
   */
  public static BufferedImage render(BufferedImage original, Mask mask, ResizeMode resizeMode) {
    boolean[][] kept = Masks.unpack(mask);
    int mh = mask.getHeight();
    int mw = mask.getWidth();
    int ow = original.getWidth();
    int oh = original.getHeight();
    // Region of the original that the mask covers: [x0, x0 + cw) x [y0, y0 + ch).
    double cw = ow;
    double ch = oh;
    double x0 = 0;
    double y0 = 0;
    if (resizeMode == ResizeMode.RESIZE_SHORTER_CENTER_CROP) {
      double s = Math.max((double) mh / oh, (double) mw / ow); // original -> resized scale
      cw = mw / s;
      ch = mh / s;
      x0 = (ow - cw) / 2;
      y0 = (oh - ch) / 2;
    }
    BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[ow];
    int[] mxOf = new int[ow];
    for (int x = 0; x < ow; x++) {
      mxOf[x] = (int) Math.floor((x + 0.5 - x0) * mw / cw);
    }
    for (int y = 0; y < oh; y++) {
      original.getRGB(0, y, ow, 1, row, 0, ow);
      int my = (int) Math.floor((y + 0.5 - y0) * mh / ch);
      for (int x = 0; x < ow; x++) {
        int mx = mxOf[x];
        boolean keep = my >= 0 && my < mh && mx >= 0 && mx < mw && kept[my][mx];
        int rgb = row[x];
        if (!keep) {
          int r = (int) (((rgb >> 16) & 0xff) * REMOVED_BRIGHTNESS);
          int g = (int) (((rgb >> 8) & 0xff) * REMOVED_BRIGHTNESS);
          int b = (int) ((rgb & 0xff) * REMOVED_BRIGHTNESS);
          rgb = (r << 16) | (g << 8) | b;
        }
        row[x] = rgb & 0xffffff;
      }
      out.setRGB(0, y, ow, 1, row, 0, ow);
    }
    return out;
  }

  /** {@link #render(BufferedImage, Mask)} encoded as PNG. */
  public static byte[] renderPng(BufferedImage original, Mask mask) {
    return toPng(render(original, mask));
  }

  /** {@link #render(BufferedImage, Mask, ResizeMode)} encoded as PNG. */
  public static byte[] renderPng(BufferedImage original, Mask mask, ResizeMode resizeMode) {
    return toPng(render(original, mask, resizeMode));
  }

  /** PNG bytes of an image. */
  public static byte[] toPng(BufferedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", bytes)) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
