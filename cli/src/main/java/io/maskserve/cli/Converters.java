package io.maskserve.cli;

import io.maskserve.v1.ResizeMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value parsers shared by the subcommands. */
final class Converters {

  private Converters() {}

  /** An image size: {@code S} (square) or {@code HxW}. */
  record Size(int height, int width) {
    @Override
    public String toString() {
      return height + "x" + width;
    }
  }

  /** Parses {@code 32} or {@code 224x224} (height x width). */
  static final class SizeConverter implements ITypeConverter<Size> {
    @Override
    public Size convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        int x = v.indexOf('x');
        Size s =
            x < 0
                ? new Size(Integer.parseInt(v), Integer.parseInt(v))
                : new Size(Integer.parseInt(v.substring(0, x).trim()), Integer.parseInt(v.substring(x + 1).trim()));
        if (s.height() < 1 || s.width() < 1) {
          throw new NumberFormatException();
        }
        return s;
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a size: use S (square) or HxW, e.g. 32 or 224x224");
      }
    }
  }

  /** Three per-channel values, R, G, B. */
  record Rgb(float r, float g, float b) {
    float get(int c) {
      return c == 0 ? r : c == 1 ? g : b;
    }
  }

  /** Parses exactly three comma-separated numbers, {@code R,G,B}. */
  static final class RgbConverter implements ITypeConverter<Rgb> {
    @Override
    public Rgb convert(String value) {
      String[] parts = value.split(",");
      if (parts.length != 3) {
        throw new TypeConversionException("'" + value + "' is not R,G,B: give exactly 3 comma-separated numbers");
      }
      float[] f = new float[3];
      for (int i = 0; i < 3; i++) {
        try {
          f[i] = Float.parseFloat(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new TypeConversionException("'" + parts[i].trim() + "' in '" + value + "' is not a number");
        }
        if (!Float.isFinite(f[i])) {
          throw new TypeConversionException("'" + value + "' has a non-finite value");
        }
      }
      return new Rgb(f[0], f[1], f[2]);
    }
  }

  /** Parses {@code resize} or {@code shorter-center-crop}. */
  static final class ResizeModeConverter implements ITypeConverter<ResizeMode> {
    @Override
    public ResizeMode convert(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "resize" -> ResizeMode.RESIZE;
        case "shorter-center-crop" -> ResizeMode.RESIZE_SHORTER_CENTER_CROP;
        default -> throw new TypeConversionException(
            "'" + value + "' is not a resize mode: use resize or shorter-center-crop");
      };
    }
  }

  /** Parses an unsigned 64-bit integer (a seed). */
  static final class UnsignedLongConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return Long.parseUnsignedLong(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not an unsigned 64-bit integer");
      }
    }
  }
}
