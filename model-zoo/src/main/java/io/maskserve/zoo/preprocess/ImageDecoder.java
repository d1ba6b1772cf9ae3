package io.maskserve.zoo.preprocess;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes untrusted PNG, JPEG and BMP bytes into {@link BufferedImage#TYPE_INT_RGB} images, safely:
 *
 * <ul>
 *   <li>the format is recognised by its magic bytes ({@link ImageFormat}); anything else is refused
 *       before any decoder runs, and so is a BMP that embeds a JPEG or PNG (whose real size its
 *       header does not give);
 *   <li>width and height are read from the header first and over-limit images are refused ({@link
 *       ImageTooLargeException}) before any pixel memory is allocated, so a small file claiming a
 *       huge image (a decompression bomb) costs nothing;
 *   <li>corrupt or truncated data (including a JPEG whose entropy-coded data ends early, which
 *       ImageIO would otherwise pad with grey) is an {@link InvalidImageException}; no ImageIO
 *       exception escapes. A JPEG missing only its final EOI marker is accepted;
 *   <li>grayscale (any bit depth) is replicated to R=G=B without gamma change; indexed colour is
 *       looked up; images with alpha are composited onto <b>white</b>; everything ends up 8-bit
 *       sRGB.
 * </ul>
 *
 * EXIF orientation and metadata are ignored. Decoding reads from memory only (no ImageIO disk
 * cache). Thread-safe (stateless); each call uses its own {@link ImageReader}.
 */
public final class ImageDecoder {

  /** Message of the exception for bytes that are not PNG, JPEG or BMP. */
  public static final String UNSUPPORTED_FORMAT = "unsupported image format, expected PNG, JPEG or BMP";

  /** BMP compression values whose pixel data is a whole embedded JPEG or PNG file. */
  private static final int BI_JPEG = 4;
  private static final int BI_PNG = 5;

  private ImageDecoder() {}

  /** {@link #decode(byte[], DecodeLimits)} with {@link DecodeLimits#defaults()}. */
  public static BufferedImage decode(byte[] bytes) {
    return decode(bytes, DecodeLimits.defaults());
  }

  /**
   * Decodes an encoded image.
   *
   * @param bytes PNG, JPEG or BMP file bytes
   * @param limits size limits, checked before decoding pixels
   * @return a new {@code TYPE_INT_RGB} image
   * @throws ImageTooLargeException if the encoded size, pixel count or a side exceeds {@code limits}
   * @throws InvalidImageException if the bytes are empty, of another format, corrupt or truncated
   */
  public static BufferedImage decode(byte[] bytes, DecodeLimits limits) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(limits, "limits");
    if (bytes.length == 0) {
      throw new InvalidImageException("the image is empty (0 bytes)");
    }
    if (bytes.length > limits.maxEncodedBytes()) {
      throw new ImageTooLargeException("the encoded image is " + bytes.length + " bytes; the limit is "
          + limits.maxEncodedBytes() + " bytes");
    }
    ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> new InvalidImageException(UNSUPPORTED_FORMAT));
    if (format == ImageFormat.BMP) {
      refuseEmbeddedBmp(bytes);
    }
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
    if (!readers.hasNext()) {
      throw new IllegalStateException("no ImageIO reader for " + format);
    }
    ImageReader reader = readers.next();
    BufferedImage decoded;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      checkSize(format, width, height, limits);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      decoded = reader.read(0);
      for (String warning : warnings) {
        String w = warning.toLowerCase(Locale.ROOT);
        // libjpeg pads missing data with grey and only warns; a missing EOI marker after complete
        // data, or extraneous bytes between markers, are harmless and accepted.
        if (w.contains("premature") || w.contains("huffman")) {
          throw new InvalidImageException("corrupt or truncated " + format + " image: " + warning);
        }
      }
      if (decoded == null || decoded.getWidth() != width || decoded.getHeight() != height) {
        throw new InvalidImageException("corrupt " + format + " image: decoded size differs from the header");
      }
    } catch (InvalidInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new InvalidImageException("corrupt or truncated " + format + " image: " + detail, e);
    } finally {
      reader.dispose();
    }
    return toRgb(decoded);
  }

  /**
   * Refuses a BMP whose pixels are an embedded JPEG or PNG (compression BI_JPEG or BI_PNG): ImageIO
   * decodes the embedded image at its own size, which the BMP header does not state, so a BMP
   * claiming 1x1 pixels could make the server inflate a 20000x20000 PNG.
   */
  private static void refuseEmbeddedBmp(byte[] bytes) {
    if (bytes.length < 34) {
      return; // too short for a compression field: the BMP reader reports it as truncated
    }
    int headerSize = littleEndianInt(bytes, 14);
    // BITMAPINFOHEADER and its extensions (V2 to V5); OS/2 headers number compressions differently.
    boolean windowsHeader = headerSize == 40 || headerSize == 52 || headerSize == 56 || headerSize == 108
        || headerSize == 124;
    int compression = littleEndianInt(bytes, 30);
    if (windowsHeader && (compression == BI_JPEG || compression == BI_PNG)) {
      String embedded = compression == BI_JPEG ? "JPEG" : "PNG";
      throw new InvalidImageException(
          "BMP images with embedded " + embedded + " data are not supported; send the " + embedded + " file itself");
    }
  }

  private static int littleEndianInt(byte[] b, int offset) {
    return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8 | (b[offset + 2] & 0xFF) << 16
        | (b[offset + 3] & 0xFF) << 24;
  }

  private static void checkSize(ImageFormat format, int width, int height, DecodeLimits limits) {
    if (width < 1 || height < 1) {
      throw new InvalidImageException("corrupt " + format + " image: header says " + width + "x" + height);
    }
    if ((long) width * height > limits.maxPixels() || width > limits.maxSide() || height > limits.maxSide()) {
      throw new ImageTooLargeException("the image is " + width + "x" + height + " pixels; the limit is "
          + limits.maxPixels() + " pixels and " + limits.maxSide() + " pixels per side");
    }
  }

  /**
   * Converts any image to 8-bit sRGB {@code TYPE_INT_RGB}: grayscale replicated (no gamma change),
   * alpha composited onto white. Returns {@code image} itself when it already is {@code
   * TYPE_INT_RGB}.
   */
  public static BufferedImage toRgb(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    if (image.getType() == BufferedImage.TYPE_INT_RGB) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    ColorModel cm = image.getColorModel();
    if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      grayToRgb(image, cm, out);
    } else if (!cm.hasAlpha()) {
      Graphics2D g = out.createGraphics();
      try {
        g.setComposite(AlphaComposite.Src);
        g.drawImage(image, 0, 0, null);
      } finally {
        g.dispose();
      }
    } else {
      int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          int argb = row[x];
          int a = argb >>> 24;
          dst[y * w + x] = overWhite((argb >> 16) & 0xFF, a) << 16 | overWhite((argb >> 8) & 0xFF, a) << 8
              | overWhite(argb & 0xFF, a);
        }
      }
    }
    return out;
  }

  private static void grayToRgb(BufferedImage image, ColorModel cm, BufferedImage out) {
    Raster raster = image.getRaster();
    int w = image.getWidth();
    int h = image.getHeight();
    int grayMax = (1 << cm.getComponentSize(0)) - 1;
    boolean alpha = cm.hasAlpha() && raster.getNumBands() > 1;
    int alphaMax = alpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
    int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    int[] gray = new int[w];
    int[] alphas = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, gray);
      if (alpha) {
        raster.getSamples(0, y, w, 1, 1, alphas);
      }
      for (int x = 0; x < w; x++) {
        int v = (int) ((gray[x] * 255L + grayMax / 2) / grayMax);
        if (alpha) {
          v = overWhite(v, (int) ((alphas[x] * 255L + alphaMax / 2) / alphaMax));
        }
        dst[y * w + x] = v << 16 | v << 8 | v;
      }
    }
  }

  /** Composites an 8-bit channel value with 8-bit alpha onto white, rounding. */
  private static int overWhite(int value, int alpha) {
    return (value * alpha + 255 * (255 - alpha) + 127) / 255;
  }
}
