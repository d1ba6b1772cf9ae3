package io.maskserve.zoo.preprocess;

import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Brings decoded images to a classifier's input as its {@link InputSpec} says: resize (or resize
 * and centre-crop) to {@code height x width}, then normalise each RGB channel as {@code (v/255 -
 * mean[c]) / std[c]} into a CHW float array (row-major {@code [3,H,W]}, i.e. one batch item of the
 * {@code [N,3,H,W]} input).
 *
 * <p>Resizing uses Java2D bilinear interpolation ({@code Graphics2D.drawImage} with {@link
 * RenderingHints#VALUE_INTERPOLATION_BILINEAR}); an image already of the input size is not
 * resampled. {@link ResizeMode#RESIZE} stretches to the input size (aspect ratio not kept). {@link
 * ResizeMode#RESIZE_SHORTER_CENTER_CROP} scales uniformly by {@code max(W/w, H/h)} (so the shorter
 * side, relative to the input's aspect ratio, matches) and takes the centre {@code W x H} window
 * (offsets rounded down).
 *
 * <p>Immutable and thread-safe.
 */
public final class Preprocessor {

  private final InputSpec spec;

  /**
   * @param spec the classifier input (size, resize mode, mean, std)
   */
  public Preprocessor(InputSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /** The input spec. */
  public InputSpec spec() {
    return spec;
  }

  /** Number of floats of one image: {@code 3 * height * width}. */
  public int tensorLength() {
    return 3 * spec.height() * spec.width();
  }

  /** Decodes, prepares and normalises an image in one go. */
  public float[] toTensor(BufferedImage image) {
    return normalize(prepareImage(image));
  }

  /**
   * The image as the classifier sees it before normalisation: RGB, resized (and cropped) to the
   * input size. Use it to draw overlays that line up with the mask. Returns {@code image} itself
   * when it already is {@code TYPE_INT_RGB} of the input size; never modifies {@code image}.
   */
  public BufferedImage prepareImage(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    BufferedImage rgb = ImageDecoder.toRgb(image);
    int tw = spec.width();
    int th = spec.height();
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    if (w == tw && h == th) {
      return rgb;
    }
    if (spec.resizeMode() == ResizeMode.RESIZE_SHORTER_CENTER_CROP) {
      double scale = Math.max(tw / (double) w, th / (double) h);
      int sw = Math.max(tw, (int) Math.round(w * scale));
      int sh = Math.max(th, (int) Math.round(h * scale));
      return draw(rgb, -((sw - tw) / 2), -((sh - th) / 2), sw, sh);
    }
    return draw(rgb, 0, 0, tw, th);
  }

  /**
   * Where the input that {@link #prepareImage} makes of a {@code width x height} image lies in
   * that image (the same geometry, including the centre crop's rounding).
   */
  public InputRegion region(int width, int height) {
    int tw = spec.width();
    int th = spec.height();
    if (spec.resizeMode() == ResizeMode.RESIZE_SHORTER_CENTER_CROP && !(width == tw && height == th)) {
      double scale = Math.max(tw / (double) width, th / (double) height);
      int sw = Math.max(tw, (int) Math.round(width * scale));
      int sh = Math.max(th, (int) Math.round(height * scale));
      double ox = (sw - tw) / 2;
      double oy = (sh - th) / 2;
      double fx = width / (double) sw;
      double fy = height / (double) sh;
      return new InputRegion(width, height, ox * fx, oy * fy, (ox + tw) * fx, (oy + th) * fy, tw, th);
    }
    return new InputRegion(width, height, 0, 0, width, height, tw, th);
  }

  private BufferedImage draw(BufferedImage src, int x, int y, int w, int h) {
    BufferedImage out = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setComposite(AlphaComposite.Src);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(src, x, y, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * Normalises an image that already has the input size into a new CHW array.
   *
   * @throws IllegalArgumentException if the image is not {@code width x height}
   */
  public float[] normalize(BufferedImage sized) {
    float[] out = new float[tensorLength()];
    normalize(sized, out, 0);
    return out;
  }

  /**
   * Normalises an image that already has the input size into {@code dst} starting at {@code
   * offset} (for filling one item of a batch).
   *
   * @throws IllegalArgumentException if the image is not {@code width x height} or {@code dst} is
   *     too short
   */
  public void normalize(BufferedImage sized, float[] dst, int offset) {
    int w = spec.width();
    int h = spec.height();
    if (sized.getWidth() != w || sized.getHeight() != h) {
      throw new IllegalArgumentException("image is " + sized.getWidth() + "x" + sized.getHeight() + ", expected "
          + w + "x" + h + "; call prepareImage first");
    }
    int plane = w * h;
    if (offset < 0 || dst.length - offset < 3 * plane) {
      throw new IllegalArgumentException("destination too short for a [3," + h + "," + w + "] tensor");
    }
    BufferedImage rgb = ImageDecoder.toRgb(sized);
    float m0 = spec.mean(0);
    float m1 = spec.mean(1);
    float m2 = spec.mean(2);
    float s0 = spec.std(0);
    float s1 = spec.std(1);
    float s2 = spec.std(2);
    // TYPE_INT_RGB's data elements are the packed 0xRRGGBB ints themselves: reading them from the
    // raster skips getRGB's per-pixel colour-model conversion (a tenth of a served request's Java time).
    java.awt.image.WritableRaster raster = rgb.getRaster();
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getDataElements(0, y, w, 1, row);
      int base = offset + y * w;
      for (int x = 0; x < w; x++) {
        int p = row[x];
        dst[base + x] = (((p >> 16) & 0xFF) / 255f - m0) / s0;
        dst[base + plane + x] = (((p >> 8) & 0xFF) / 255f - m1) / s1;
        dst[base + 2 * plane + x] = ((p & 0xFF) / 255f - m2) / s2;
      }
    }
  }

  /**
   * Checks a caller-supplied tensor against this input; see {@link TensorValidator#checkTensor}.
   */
  public float[] checkTensor(long[] shape, ByteBuffer littleEndianData) {
    return TensorValidator.checkTensor(shape, littleEndianData, spec);
  }
}
