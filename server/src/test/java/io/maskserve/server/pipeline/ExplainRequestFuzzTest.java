package io.maskserve.server.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.maskserve.server.grpc.ExplainTranslator;
import io.maskserve.server.grpc.StatusMapper;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;

/**
 * Fuzzes the server's request validation: arbitrary bytes parsed as an {@link ExplainRequest} (what
 * gRPC hands the service), translated into an {@link ExplainQuery} by {@link ExplainTranslator} and
 * decoded into the classifier's tensor by {@link InputDecoder} (image or tensor input, small
 * limits). Bytes that are not a valid protobuf never reach the service (gRPC rejects them), so they
 * are skipped. Every failure must map, through the server's {@link StatusMapper}, to
 * INVALID_ARGUMENT or RESOURCE_EXHAUSTED; an INTERNAL status (an unexpected exception type) or an
 * error escaping the mapper is a finding. A decoded input must be a finite tensor of the input size.
 */
class ExplainRequestFuzzTest {

  static final InputSpec SPEC = new InputSpec(
      8, 8, ResizeMode.RESIZE, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  private static final ServerLimits LIMITS = ServerLimits.builder()
      .maxImagePixels(128 * 128)
      .maxImageSide(256)
      .maxEncodedBytes(64 * 1024)
      .build();
  private static final InputDecoder DECODER = new InputDecoder(LIMITS);
  private static final ExplainTranslator TRANSLATOR = new ExplainTranslator();
  private static final StatusMapper STATUSES = new StatusMapper();

  @FuzzTest(maxDuration = "10m", maxExecutions = 1_000_000)
  void explainRequest(byte[] bytes) {
    ExplainRequest request;
    try {
      request = ExplainRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    InputDecoder.Decoded decoded;
    try {
      ExplainQuery query = TRANSLATOR.toQuery(request, null);
      decoded = DECODER.decode(query.image(), SPEC, query.includeOverlay());
    } catch (RuntimeException e) {
      Status.Code code = STATUSES.toStatus(e).getCode();
      if (code != Status.Code.INVALID_ARGUMENT && code != Status.Code.RESOURCE_EXHAUSTED) {
        throw new AssertionError("request failure maps to " + code + ": " + e, e);
      }
      return;
    }
    assertEquals(3 * 8 * 8, decoded.tensor().length);
    for (float v : decoded.tensor()) {
      assertTrue(Float.isFinite(v), "non-finite tensor value " + v);
    }
    if (decoded.picture() != null) {
      assertEquals(8, decoded.picture().getWidth());
      assertEquals(8, decoded.picture().getHeight());
    }
  }
}
