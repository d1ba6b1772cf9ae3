package io.maskserve.zoo.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};

  private static InputSpec spec(int h, int w, ResizeMode mode) {
    return new InputSpec(h, w, mode, MEAN, STD);
  }

  private static BufferedImage filled(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  @Test
  void knownPixelGivesTheExactNormalisedValueInChwOrder() {
    Preprocessor p = new Preprocessor(spec(2, 3, ResizeMode.RESIZE));
    BufferedImage img = filled(3, 2, 0x000000);
    img.setRGB(2, 1, 0x80FF00); // R=128, G=255, B=0 at x=2, y=1
    float[] t = p.toTensor(img);
    assertEquals(18, t.length);
    int idx = 1 * 3 + 2;
    assertEquals((128 / 255f - 0.485f) / 0.229f, t[idx]);
    assertEquals((255 / 255f - 0.456f) / 0.224f, t[6 + idx]);
    assertEquals((0 / 255f - 0.406f) / 0.225f, t[12 + idx]);
    assertEquals(0.0741f, t[idx], 1e-4);
    assertEquals(2.4286f, t[6 + idx], 1e-4);
    assertEquals(-1.8044f, t[12 + idx], 1e-4);
    assertEquals((0 - 0.485f) / 0.229f, t[0]);
  }

  @Test
  void imageOfInputSizeIsNotResampled() {
    Preprocessor p = new Preprocessor(spec(32, 32, ResizeMode.RESIZE));
    BufferedImage img = ImageDecoderTest.pattern(32, 32, BufferedImage.TYPE_INT_RGB);
    assertSame(img, p.prepareImage(img));
    Preprocessor crop = new Preprocessor(spec(32, 32, ResizeMode.RESIZE_SHORTER_CENTER_CROP));
    assertSame(img, crop.prepareImage(img));
  }

  @Test
  void resizeStretchesToTheInputSize() {
    Preprocessor p = new Preprocessor(spec(4, 8, ResizeMode.RESIZE));
    // Left half red, right half blue, 40x10 -> 8x4: left 4 columns red, right 4 blue (interior exact).
    BufferedImage img = filled(40, 10, 0xFF0000);
    for (int y = 0; y < 10; y++) {
      for (int x = 20; x < 40; x++) {
        img.setRGB(x, y, 0x0000FF);
      }
    }
    BufferedImage out = p.prepareImage(img);
    assertEquals(8, out.getWidth());
    assertEquals(4, out.getHeight());
    for (int y = 0; y < 4; y++) {
      assertEquals(0xFF0000, out.getRGB(0, y) & 0xFFFFFF);
      assertEquals(0xFF0000, out.getRGB(2, y) & 0xFFFFFF);
      assertEquals(0x0000FF, out.getRGB(5, y) & 0xFFFFFF);
      assertEquals(0x0000FF, out.getRGB(7, y) & 0xFFFFFF);
    }
    // Upscaling a uniform image stays uniform.
    BufferedImage up = new Preprocessor(spec(64, 64, ResizeMode.RESIZE)).prepareImage(filled(3, 5, 0x123456));
    assertEquals(0x123456, up.getRGB(63, 0) & 0xFFFFFF);
    assertEquals(0x123456, up.getRGB(31, 40) & 0xFFFFFF);
  }

  /** Three vertical stripes (red, green, blue) of {@code stripe} columns each, {@code h} rows. */
  private static BufferedImage stripes(int stripe, int h) {
    BufferedImage img = new BufferedImage(3 * stripe, h, BufferedImage.TYPE_INT_RGB);
    int[] colours = {0xFF0000, 0x00FF00, 0x0000FF};
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < 3 * stripe; x++) {
        img.setRGB(x, y, colours[x / stripe]);
      }
    }
    return img;
  }

  @Test
  void centreCropTakesTheMiddle() {
    Preprocessor p = new Preprocessor(spec(10, 10, ResizeMode.RESIZE_SHORTER_CENTER_CROP));
    // 30x10 -> scale 1, crop the middle 10 columns: exactly the green stripe.
    BufferedImage out = p.prepareImage(stripes(10, 10));
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        assertEquals(0x00FF00, out.getRGB(x, y) & 0xFFFFFF, x + "," + y);
      }
    }
    // 60x20 -> scale 0.5 to 30x10, then the middle: green apart from the resampled edge columns.
    out = p.prepareImage(stripes(20, 20));
    for (int y = 0; y < 10; y++) {
      for (int x = 1; x < 9; x++) {
        assertEquals(0x00FF00, out.getRGB(x, y) & 0xFFFFFF, x + "," + y);
      }
    }
    // Portrait 10x30 (rotated stripes) -> the middle rows.
    BufferedImage portrait = new BufferedImage(10, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 10; x++) {
        portrait.setRGB(x, y, y < 10 ? 0xFF0000 : y < 20 ? 0x00FF00 : 0x0000FF);
      }
    }
    out = p.prepareImage(portrait);
    assertEquals(0x00FF00, out.getRGB(0, 0) & 0xFFFFFF);
    assertEquals(0x00FF00, out.getRGB(9, 9) & 0xFFFFFF);
    // Plain RESIZE of the same image keeps all three stripes.
    BufferedImage squeezed = new Preprocessor(spec(10, 10, ResizeMode.RESIZE)).prepareImage(portrait);
    assertEquals(0xFF0000, squeezed.getRGB(5, 0) & 0xFFFFFF);
    assertEquals(0x0000FF, squeezed.getRGB(5, 9) & 0xFFFFFF);
  }

  @Test
  void nonSquareCropTargetCoversTheInput() {
    // Target 10 high x 20 wide from a 40x40 image: scale = max(20/40, 10/40) = 0.5 -> 20x20, crop rows 5..14.
    Preprocessor p = new Preprocessor(spec(10, 20, ResizeMode.RESIZE_SHORTER_CENTER_CROP));
    BufferedImage img = filled(40, 40, 0xFF0000);
    for (int y = 10; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        img.setRGB(x, y, 0x00FF00);
      }
    }
    BufferedImage out = p.prepareImage(img);
    assertEquals(20, out.getWidth());
    assertEquals(10, out.getHeight());
    for (int y = 0; y < 10; y++) {
      assertEquals(0x00FF00, out.getRGB(10, y) & 0xFFFFFF, "row " + y);
    }
  }

  @Test
  void normalizeRequiresTheInputSizeAndFillsBatches() {
    Preprocessor p = new Preprocessor(spec(4, 4, ResizeMode.RESIZE));
    assertThrows(IllegalArgumentException.class, () -> p.normalize(filled(5, 4, 0)));
    float[] batch = new float[2 * p.tensorLength()];
    p.normalize(filled(4, 4, 0xFFFFFF), batch, p.tensorLength());
    assertEquals(0f, batch[0]);
    assertEquals((1f - 0.485f) / 0.229f, batch[p.tensorLength()]);
    assertThrows(IllegalArgumentException.class, () -> p.normalize(filled(4, 4, 0), batch, p.tensorLength() + 1));
    // Gray images normalise like their RGB equivalent.
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setPixels(0, 0, 4, 4, new int[16]);
    assertArrayEquals(p.normalize(filled(4, 4, 0)), p.normalize(gray));
  }

  private static ByteBuffer le(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.flip();
  }

  @Test
  void tensorCheckAcceptsBothShapesAndRejectsBadOnes() {
    InputSpec s = spec(2, 2, ResizeMode.RESIZE);
    float[] v = new float[12];
    for (int i = 0; i < 12; i++) {
      v[i] = i - 5.5f;
    }
    assertArrayEquals(v, TensorValidator.checkTensor(new long[] {1, 3, 2, 2}, le(v), s));
    ByteBuffer buf = le(v);
    assertArrayEquals(v, new Preprocessor(s).checkTensor(new long[] {3, 2, 2}, buf));
    assertEquals(0, buf.position(), "caller's buffer untouched");
    assertEquals(ByteOrder.LITTLE_ENDIAN, buf.order());

    String msg = assertThrows(InvalidInputException.class,
        () -> TensorValidator.checkTensor(new long[] {2, 3, 2, 2}, le(new float[24]), s)).getMessage();
    assertTrue(msg.contains("[1,3,2,2]"), msg);
    assertThrows(InvalidInputException.class, () -> TensorValidator.checkTensor(new long[] {3, 2}, le(v), s));
    assertThrows(InvalidInputException.class, () -> TensorValidator.checkTensor(new long[] {1, 1, 3, 2, 2}, le(v), s));
    assertThrows(InvalidInputException.class, () -> TensorValidator.checkTensor(new long[] {1, 3, 2, 3}, le(v), s));
    assertThrows(InvalidInputException.class, () -> TensorValidator.checkTensor(new long[0], le(v), s));
    assertThrows(InvalidInputException.class, () -> TensorValidator.checkTensor(null, le(v), s));
    msg = assertThrows(InvalidInputException.class,
        () -> TensorValidator.checkTensor(new long[] {1, 3, 2, 2}, le(new float[11]), s)).getMessage();
    assertTrue(msg.contains("44") && msg.contains("48"), msg);
    assertThrows(InvalidInputException.class, () -> TensorValidator.checkTensor(new long[] {1, 3, 2, 2}, null, s));
    float[] nan = v.clone();
    nan[7] = Float.NaN;
    msg = assertThrows(InvalidInputException.class,
        () -> TensorValidator.checkTensor(new long[] {1, 3, 2, 2}, le(nan), s)).getMessage();
    assertTrue(msg.contains("[1,1,1]") && msg.contains("NaN"), msg);
    float[] inf = v.clone();
    inf[0] = Float.NEGATIVE_INFINITY;
    assertThrows(InvalidInputException.class, () -> TensorValidator.checkTensor(new long[] {3, 2, 2}, le(inf), s));
  }
}
