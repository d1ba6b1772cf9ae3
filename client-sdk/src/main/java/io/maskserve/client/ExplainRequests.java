package io.maskserve.client;

import com.google.protobuf.ByteString;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.FloatTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Builds {@link ExplainRequest}s. Add options with {@code toBuilder()}, e.g. a baseline method
 * (read its map with {@link SaliencyMaps}):
 *
 * <pre>{@code
 * ExplainRequest rise = ExplainRequests.fromImageFile(Path.of("cat.jpg"), "resnet20").toBuilder()
 *     .setMethod(Method.METHOD_RISE)
 *     .setMethodOptions(MethodOptions.newBuilder().setRiseMasks(1000))
 *     .setKeepFraction(0.1f)
 *     .build();
 * }</pre>
 */
public final class ExplainRequests {

  private ExplainRequests() {}

  /**
   * A request for {@code model} (latest version) with the bytes of the image file {@code image}
   * (PNG, JPEG or BMP) as {@code encoded}; the file is sent as is, the server decodes it. {@code
   * request_id} is the file name, which matches streamed responses to their files.
   *
   * @throws UncheckedIOException if the file cannot be read
   */
  public static ExplainRequest fromImageFile(Path image, String model) {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(model, "model");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(image);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + image + ": " + e.getMessage(), e);
    }
    Path name = image.getFileName();
    return ExplainRequest.newBuilder()
        .setModel(model)
        .setEncoded(ByteString.copyFrom(bytes))
        .setRequestId(name == null ? image.toString() : name.toString())
        .build();
  }

  /**
   * A request for {@code model} with an already normalised tensor {@code [1,3,height,width]}:
   * {@code chw} holds the 3 channels one after the other, each row-major.
   */
  public static ExplainRequest fromTensor(String model, float[] chw, int height, int width) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(chw, "chw");
    if (height < 1 || width < 1 || chw.length != 3L * height * width) {
      throw new IllegalArgumentException(
          "expected 3*" + height + "*" + width + " values, got " + chw.length);
    }
    ByteBuffer buf = ByteBuffer.allocate(chw.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(chw);
    FloatTensor tensor =
        FloatTensor.newBuilder()
            .addShape(1)
            .addShape(3)
            .addShape(height)
            .addShape(width)
            .setData(ByteString.copyFrom(buf.array()))
            .build();
    return ExplainRequest.newBuilder().setModel(model).setTensor(tensor).build();
  }
}
