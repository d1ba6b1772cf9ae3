package io.maskserve.server.grpc;

import com.google.protobuf.ByteString;
import io.maskserve.server.pipeline.Deadline;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.pipeline.ImageInput;
import io.maskserve.server.sampling.PackedMask;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.Mask;
import io.maskserve.v1.Prediction;
import io.maskserve.v1.ProbabilityMap;
import io.maskserve.v1.Timing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Translates between the explain protos and the pipeline's records. Stateless. */
public final class ExplainTranslator {

  /**
   * The query a request asks for.
   *
   * @throws IllegalArgumentException (INVALID_ARGUMENT) when the request has no image or model
   */
  public ExplainQuery toQuery(ExplainRequest req, Deadline deadline) {
    if (req.getModel().isEmpty()) {
      throw new IllegalArgumentException("model is required");
    }
    ImageInput image = switch (req.getImageCase()) {
      case ENCODED -> {
        if (req.getEncoded().isEmpty()) {
          throw new IllegalArgumentException("encoded image is empty");
        }
        yield new ImageInput.Encoded(req.getEncoded().toByteArray());
      }
      case TENSOR -> new ImageInput.Tensor(
          req.getTensor().getShapeList().stream().mapToLong(Long::longValue).toArray(),
          req.getTensor().getData().toByteArray());
      case IMAGE_NOT_SET -> throw new IllegalArgumentException("image is required: set encoded or tensor");
    };
    return new ExplainQuery(
        req.getModel(),
        req.getVersion(),
        image,
        req.hasTargetClass() ? OptionalInt.of(req.getTargetClass()) : OptionalInt.empty(),
        req.getNumSamples(),
        req.hasSeed() ? OptionalLong.of(req.getSeed()) : OptionalLong.empty(),
        req.hasThreshold() ? Optional.of(req.getThreshold()) : Optional.empty(),
        req.getIncludeOverlayPng(),
        Optional.ofNullable(deadline));
  }

  /** The response for a successful explanation. */
  public ExplainResponse toResponse(String requestId, ExplanationResult r) {
    ExplainResponse.Builder b = ExplainResponse.newBuilder()
        .setRequestId(requestId)
        .setModel(r.model())
        .setVersion(r.version())
        .setTargetClass(r.targetClass())
        .setTargetLabel(r.targetLabel())
        .setTargetOriginalProbability(r.targetOriginalProbability())
        .setProbabilityMap(ProbabilityMap.newBuilder()
            .setHeight(r.probabilityMap().height())
            .setWidth(r.probabilityMap().width())
            .setData(floatsLe(r.probabilityMap().values())))
        .setMask(mask(r.mask()))
        .setSeed(r.seed())
        .setThreshold(r.threshold());
    for (ExplanationResult.Prediction p : r.predictions()) {
      b.addPredictions(Prediction.newBuilder()
          .setClassIndex(p.classIndex())
          .setLabel(p.label())
          .setProbability(p.probability()));
    }
    for (ExplanationResult.ScoredMask s : r.samples()) {
      b.addSamples(mask(s));
    }
    byte[] png = r.overlayPng();
    if (png.length > 0) {
      b.setOverlayPng(ByteString.copyFrom(png));
    }
    ExplanationResult.StageTimings t = r.timings();
    b.setTiming(Timing.newBuilder()
        .setDecodeMicros(t.decodeMicros())
        .setClassifyMicros(t.classifyMicros())
        .setGenerateMicros(t.generateMicros())
        .setSampleMicros(t.sampleMicros())
        .setScoreMicros(t.scoreMicros())
        .setOverlayMicros(t.overlayMicros())
        .setQueueMicros(t.queueMicros())
        .setTotalMicros(t.totalMicros()));
    return b.build();
  }

  /**
   * The response of a failed streamed item: request_id and error only.
   *
   * @param requestId the item's request_id
   * @param error why it failed
   * @return the response
   */
  public ExplainResponse toErrorResponse(String requestId, com.google.rpc.Status error) {
    return ExplainResponse.newBuilder().setRequestId(requestId).setError(error).build();
  }

  private static Mask mask(ExplanationResult.ScoredMask s) {
    PackedMask m = s.mask();
    return Mask.newBuilder()
        .setHeight(m.height())
        .setWidth(m.width())
        .setBits(ByteString.copyFrom(m.bits()))
        .setKeepFraction(m.keepFraction())
        .setTargetProbability(s.targetProbability())
        .build();
  }

  /** {@code values} as float32 little-endian bytes. */
  static ByteString floatsLe(float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return ByteString.copyFrom(buf.array());
  }
}
