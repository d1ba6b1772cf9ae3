package io.maskserve.server.pipeline;

import java.util.Objects;

/** The image to explain: an encoded file or a tensor already normalised for the classifier. */
public sealed interface ImageInput {

  /**
   * PNG, JPEG or BMP bytes, decoded and preprocessed as the model's manifest says.
   *
   * @param bytes the file's bytes (not copied: do not mutate)
   */
  record Encoded(byte[] bytes) implements ImageInput {
    public Encoded {
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  /**
   * A float32 tensor {@code [1,3,H,W]} or {@code [3,H,W]}, little-endian row-major values,
   * already normalised, H and W equal to the model's input size.
   *
   * @param shape the tensor's shape
   * @param littleEndianData {@code product(shape) * 4} bytes (not copied: do not mutate)
   */
  record Tensor(long[] shape, byte[] littleEndianData) implements ImageInput {
    public Tensor {
      shape = shape.clone();
      Objects.requireNonNull(littleEndianData, "littleEndianData");
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }
}
