package io.maskserve.zoo.preprocess;

import io.maskserve.zoo.InputSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/** Checks tensors that callers send instead of encoded images. Stateless. */
public final class TensorValidator {

  private TensorValidator() {}

  /**
   * Checks a caller-supplied, already normalised float32 tensor and returns its values.
   *
   * @param shape {@code [1,3,H,W]} or {@code [3,H,W]} with H, W the input size
   * @param littleEndianData {@code 3*H*W*4} bytes, float32 little-endian, row-major; read from its
   *     position to its limit without changing the caller's buffer
   * @param spec the classifier input
   * @return the {@code 3*H*W} values, CHW
   * @throws InvalidInputException on a wrong shape, a wrong byte count or a NaN/infinite value
   */
  public static float[] checkTensor(long[] shape, ByteBuffer littleEndianData, InputSpec spec) {
    Objects.requireNonNull(spec, "spec");
    String expected = "[1,3," + spec.height() + "," + spec.width() + "] or [3," + spec.height() + ","
        + spec.width() + "]";
    if (shape == null || shape.length == 0) {
      throw new InvalidInputException("tensor shape is missing; expected " + expected);
    }
    if (shape.length != 3 && shape.length != 4) {
      throw new InvalidInputException("tensor shape " + Arrays.toString(shape) + " has rank " + shape.length
          + "; expected " + expected);
    }
    int o = shape.length - 3;
    if ((o == 1 && shape[0] != 1) || shape[o] != 3 || shape[o + 1] != spec.height() || shape[o + 2] != spec.width()) {
      throw new InvalidInputException("tensor shape " + Arrays.toString(shape) + " does not match the model input; expected "
          + expected);
    }
    int n = 3 * spec.height() * spec.width();
    long expectedBytes = 4L * n;
    int actual = littleEndianData == null ? 0 : littleEndianData.remaining();
    if (actual != expectedBytes) {
      throw new InvalidInputException("tensor data has " + actual + " bytes but shape " + Arrays.toString(shape)
          + " needs " + expectedBytes + " (float32 little-endian)");
    }
    float[] values = new float[n];
    littleEndianData.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    int plane = spec.height() * spec.width();
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(values[i])) {
        int c = i / plane;
        int y = (i % plane) / spec.width();
        int x = i % spec.width();
        throw new InvalidInputException("tensor value at [" + c + "," + y + "," + x + "] is " + values[i]
            + "; values must be finite");
      }
    }
    return values;
  }
}
