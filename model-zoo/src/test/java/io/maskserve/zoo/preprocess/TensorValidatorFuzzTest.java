package io.maskserve.zoo.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Fuzzes {@link TensorValidator#checkTensor} with arbitrary shapes and data for a {@code 2x3}
 * input. Only {@link InvalidInputException} may escape; an accepted tensor must have exactly
 * {@code 3*2*3} finite values and leave the caller's buffer untouched.
 *
 * <p>Input encoding (so seeds are easy to write by hand): byte 0 is the rank (mod 6), then one byte
 * per dimension (0..249 as is; 250 = Long.MAX_VALUE, 251 = -1, 252 = 2^31, 253 = Long.MIN_VALUE,
 * 254 = 2^32 + 3, 255 = 1L << 62), then the tensor bytes (float32 little-endian).
 */
class TensorValidatorFuzzTest {

  static final InputSpec SPEC =
      new InputSpec(2, 3, ResizeMode.RESIZE, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});

  @FuzzTest(maxDuration = "10m", maxExecutions = 1_000_000)
  void checkTensor(byte[] input) {
    int pos = 0;
    long[] shape = null;
    if (input.length > 0) {
      int rank = (input[pos++] & 0xFF) % 6;
      shape = new long[rank];
      for (int i = 0; i < rank && pos < input.length; i++) {
        shape[i] = dim(input[pos++] & 0xFF);
      }
    }
    ByteBuffer data = ByteBuffer.wrap(input, pos, input.length - pos);
    int position = data.position();
    int limit = data.limit();
    float[] values;
    try {
      values = TensorValidator.checkTensor(shape, data, SPEC);
    } catch (InvalidInputException expected) {
      assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
      return;
    } finally {
      assertEquals(position, data.position(), "the caller's buffer position changed");
      assertEquals(limit, data.limit(), "the caller's buffer limit changed");
    }
    assertEquals(3 * 2 * 3, values.length, Arrays.toString(shape));
    for (float v : values) {
      assertTrue(Float.isFinite(v));
    }
  }

  private static long dim(int b) {
    return switch (b) {
      case 250 -> Long.MAX_VALUE;
      case 251 -> -1;
      case 252 -> 1L << 31;
      case 253 -> Long.MIN_VALUE;
      case 254 -> (1L << 32) + 3;
      case 255 -> 1L << 62;
      default -> b;
    };
  }
}
