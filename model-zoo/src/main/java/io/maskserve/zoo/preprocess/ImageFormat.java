package io.maskserve.zoo.preprocess;

import java.util.Optional;

/** The accepted encoded image formats, recognised by their magic bytes. */
public enum ImageFormat {
  /** PNG: {@code 89 50 4E 47 0D 0A 1A 0A}. */
  PNG("png"),
  /** JPEG: {@code FF D8 FF}. */
  JPEG("jpeg"),
  /** Windows bitmap: {@code "BM"}. */
  BMP("bmp");

  private final String imageIoName;

  ImageFormat(String imageIoName) {
    this.imageIoName = imageIoName;
  }

  /** The ImageIO format name. */
  public String imageIoName() {
    return imageIoName;
  }

  /** The format whose magic bytes start {@code bytes}, if any. */
  public static Optional<ImageFormat> sniff(byte[] bytes) {
    if (bytes.length >= 8
        && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G'
        && bytes[4] == 0x0D && bytes[5] == 0x0A && bytes[6] == 0x1A && bytes[7] == 0x0A) {
      return Optional.of(PNG);
    }
    if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
      return Optional.of(JPEG);
    }
    if (bytes.length >= 2 && bytes[0] == 'B' && bytes[1] == 'M') {
      return Optional.of(BMP);
    }
    return Optional.empty();
  }
}
