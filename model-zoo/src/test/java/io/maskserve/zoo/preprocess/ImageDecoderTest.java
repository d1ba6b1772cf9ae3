package io.maskserve.zoo.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.zoo.testing.SharedData;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

  static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no writer for " + format + " / type " + img.getType());
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A w x h RGB image with a deterministic colour pattern. */
  static BufferedImage pattern(int w, int h, int type) {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, 0xFF000000 | (x * 37 % 256) << 16 | (y * 53 % 256) << 8 | ((x + y) * 11 % 256));
      }
    }
    return img;
  }

  static int rgb(BufferedImage img, int x, int y) {
    return img.getRGB(x, y) & 0xFFFFFF;
  }

  @Test
  void decodesPngExactly() {
    BufferedImage src = pattern(20, 10, BufferedImage.TYPE_INT_RGB);
    BufferedImage out = ImageDecoder.decode(encode(src, "png"));
    assertEquals(BufferedImage.TYPE_INT_RGB, out.getType());
    assertEquals(20, out.getWidth());
    assertEquals(10, out.getHeight());
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 20; x++) {
        assertEquals(rgb(src, x, y), rgb(out, x, y), "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void decodesBmpExactly() {
    BufferedImage src = pattern(7, 5, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bmp = encode(src, "bmp");
    assertEquals(ImageFormat.BMP, ImageFormat.sniff(bmp).orElseThrow());
    BufferedImage out = ImageDecoder.decode(bmp);
    assertEquals(BufferedImage.TYPE_INT_RGB, out.getType());
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 7; x++) {
        assertEquals(rgb(src, x, y), rgb(out, x, y));
      }
    }
  }

  @Test
  void decodesRealJpeg() {
    byte[] jpg = SharedData.bytes(SharedData.cifar10Image("cat", 800));
    assertEquals(ImageFormat.JPEG, ImageFormat.sniff(jpg).orElseThrow());
    BufferedImage out = ImageDecoder.decode(jpg);
    assertEquals(BufferedImage.TYPE_INT_RGB, out.getType());
    assertEquals(32, out.getWidth());
    assertEquals(32, out.getHeight());
    // Same pixels as a plain ImageIO decode.
    BufferedImage plain = assertDoesNotThrowRead(jpg);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertEquals(rgb(plain, x, y), rgb(out, x, y));
      }
    }
  }

  private static BufferedImage assertDoesNotThrowRead(byte[] b) {
    try {
      return ImageIO.read(new java.io.ByteArrayInputStream(b));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void grayscaleIsReplicatedWithoutGammaChange() {
    BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    int[] values = {0, 1, 100, 128, 200, 255};
    gray.getRaster().setPixels(0, 0, 3, 2, values);
    for (String format : new String[] {"png", "bmp"}) {
      BufferedImage out = ImageDecoder.decode(encode(gray, format));
      for (int i = 0; i < values.length; i++) {
        int v = values[i];
        assertEquals(v << 16 | v << 8 | v, rgb(out, i % 3, i / 3), format + " gray " + v);
      }
    }
    BufferedImage jpegOut = ImageDecoder.decode(encode(gray, "jpeg"));
    assertEquals(BufferedImage.TYPE_INT_RGB, jpegOut.getType());
    int p = rgb(jpegOut, 0, 0);
    assertEquals((p >> 16) & 0xFF, p & 0xFF, "JPEG gray stays gray");
  }

  @Test
  void sixteenBitGrayIsScaledTo8Bit() {
    BufferedImage gray16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    gray16.getRaster().setPixels(0, 0, 2, 1, new int[] {65535, 32896}); // 32896 = 128.5 * 257 -> 128
    BufferedImage out = ImageDecoder.decode(encode(gray16, "png"));
    assertEquals(0xFFFFFF, rgb(out, 0, 0));
    assertEquals(0x808080, rgb(out, 1, 0));
  }

  @Test
  void alphaIsCompositedOntoWhite() {
    BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0xFF102030); // opaque: unchanged
    argb.setRGB(1, 0, 0x00102030); // transparent: white
    argb.setRGB(2, 0, 0x80000000); // half black: mid grey
    BufferedImage out = ImageDecoder.decode(encode(argb, "png"));
    assertEquals(0x102030, rgb(out, 0, 0));
    assertEquals(0xFFFFFF, rgb(out, 1, 0));
    int grey = (255 * 127 + 127) / 255;
    assertEquals(grey << 16 | grey << 8 | grey, rgb(out, 2, 0));
  }

  @Test
  void indexedWithTransparencyIsConverted() {
    byte[] r = {(byte) 255, 0};
    byte[] g = {0, 0};
    byte[] b = {0, (byte) 255};
    IndexColorModel cm = new IndexColorModel(8, 2, r, g, b, 1); // index 1 transparent
    BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, cm);
    indexed.getRaster().setPixels(0, 0, 2, 1, new int[] {0, 1});
    BufferedImage out = ImageDecoder.decode(encode(indexed, "png"));
    assertEquals(0xFF0000, rgb(out, 0, 0));
    assertEquals(0xFFFFFF, rgb(out, 1, 0));
  }

  @Test
  void onePixelImages() {
    BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    one.setRGB(0, 0, 0x336699);
    assertEquals(0x336699, rgb(ImageDecoder.decode(encode(one, "png")), 0, 0));
    assertEquals(0x336699, rgb(ImageDecoder.decode(encode(one, "bmp")), 0, 0));
    BufferedImage jpeg = ImageDecoder.decode(encode(one, "jpeg"));
    assertEquals(1, jpeg.getWidth());
    assertEquals(1, jpeg.getHeight());
  }

  @Test
  void wrongMagicAndEmptyAreRejected() {
    byte[] gif = "GIF89a\1\0\1\0\0\0\0;".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(gif));
    assertEquals(ImageDecoder.UNSUPPORTED_FORMAT, e.getMessage());
    assertThrows(InvalidImageException.class, () -> ImageDecoder.decode("hello".getBytes()));
    assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(new byte[] {(byte) 0xFF, (byte) 0xD8}));
    assertTrue(assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(new byte[0])).getMessage()
        .contains("empty"));
  }

  @Test
  void truncatedAndCorruptFilesAreRejected() {
    byte[] png = encode(pattern(64, 64, BufferedImage.TYPE_INT_RGB), "png");
    byte[] jpg = SharedData.bytes(SharedData.cifar10Image("dog", 801));
    byte[] bmp = encode(pattern(64, 64, BufferedImage.TYPE_3BYTE_BGR), "bmp");
    for (byte[] full : new byte[][] {png, jpg, bmp}) {
      for (int cut : new int[] {full.length / 2, full.length - 40, 20, 9}) {
        byte[] truncated = Arrays.copyOf(full, cut);
        assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(truncated),
            ImageFormat.sniff(full).orElseThrow() + " cut at " + cut + " of " + full.length);
      }
    }
    // A JPEG that lacks only its end-of-image marker has all its data and is accepted.
    assertEquals(32, ImageDecoder.decode(Arrays.copyOf(jpg, jpg.length - 2)).getWidth());
    byte[] garbled = png.clone();
    for (int i = 60; i < garbled.length - 20; i++) {
      garbled[i] = (byte) (garbled[i] ^ 0x5A);
    }
    assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(garbled));
  }

  /** A PNG whose valid IHDR (correct CRC) claims width x height, followed by a tiny IDAT and IEND. */
  static byte[] pngHeader(int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12 + 11);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(b, "IHDR", ihdr.array());
    chunk(b, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0});
    chunk(b, "IEND", new byte[0]);
    return Arrays.copyOf(b.array(), b.position());
  }

  private static void chunk(ByteBuffer b, String type, byte[] data) {
    b.putInt(data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    b.put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt((int) crc.getValue());
  }

  @Test
  void decompressionBombIsRefusedFromTheHeader() {
    byte[] bomb = pngHeader(100_000, 100_000);
    assertTrue(bomb.length < 100);
    long before = usedHeap();
    ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(bomb));
    assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    assertTrue(usedHeap() - before < 64L << 20, "no pixel memory allocated");
    // Per-side limit and a smaller pixel limit.
    assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(pngHeader(20_000, 1)));
    DecodeLimits small = new DecodeLimits(1 << 20, 100, 50);
    assertThrows(ImageTooLargeException.class,
        () -> ImageDecoder.decode(encode(pattern(11, 10, BufferedImage.TYPE_INT_RGB), "png"), small));
    ImageDecoder.decode(encode(pattern(10, 10, BufferedImage.TYPE_INT_RGB), "png"), small);
    // Encoded-size limit.
    byte[] png = encode(pattern(10, 10, BufferedImage.TYPE_INT_RGB), "png");
    assertThrows(ImageTooLargeException.class,
        () -> ImageDecoder.decode(png, new DecodeLimits(png.length - 1, 100, 50)));
    // An image too large is still an invalid input for callers that only catch the superclass.
    assertTrue(InvalidInputException.class.isAssignableFrom(ImageTooLargeException.class));
  }

  /** A BMP whose header says 1x1 and whose pixel data is the {@code embedded} file (BI_JPEG or BI_PNG). */
  static byte[] bmpEmbedding(byte[] embedded, int compression) {
    ByteBuffer b = ByteBuffer.allocate(14 + 40 + embedded.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'B').put((byte) 'M').putInt(b.capacity()).putInt(0).putInt(54);
    b.putInt(40).putInt(1).putInt(1).putShort((short) 1).putShort((short) 0).putInt(compression)
        .putInt(embedded.length).putInt(0).putInt(0).putInt(0).putInt(0);
    return b.put(embedded).array();
  }

  @Test
  void bmpEmbeddingAPngOrJpegIsRefusedBecauseItsSizeIsUnknown() {
    // ImageIO would decode the embedded image whatever its size (a 1x1 BMP around a 20000x20000
    // PNG inflates 400 MB) and return a 1x1 image, bypassing the pixel limit.
    byte[] png = encode(pattern(64, 48, BufferedImage.TYPE_INT_RGB), "png");
    InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(bmpEmbedding(png, 5)));
    assertTrue(e.getMessage().contains("embedded PNG"), e.getMessage());
    byte[] jpeg = encode(pattern(64, 48, BufferedImage.TYPE_INT_RGB), "jpeg");
    e = assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(bmpEmbedding(jpeg, 4)));
    assertTrue(e.getMessage().contains("embedded JPEG"), e.getMessage());
  }

  @Test
  void headerWithZeroSizeIsInvalid() {
    assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(pngHeader(0, 10)));
  }

  @Test
  void toRgbReturnsRgbImagesUnchanged() {
    BufferedImage rgb = pattern(4, 4, BufferedImage.TYPE_INT_RGB);
    assertSame(rgb, ImageDecoder.toRgb(rgb));
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
