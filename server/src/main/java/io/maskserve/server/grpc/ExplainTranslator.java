package io.maskserve.server.grpc;

import com.google.protobuf.ByteString;
import io.maskserve.server.attribution.AttributionOptions;
import io.maskserve.server.pipeline.Deadline;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationMethod;
import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.pipeline.ImageInput;
import io.maskserve.server.sampling.PackedMask;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.Mask;
import io.maskserve.v1.Method;
import io.maskserve.v1.MethodOptions;
import io.maskserve.v1.Prediction;
import io.maskserve.v1.ProbabilityMap;
import io.maskserve.v1.SaliencyMap;
import io.maskserve.v1.Timing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Translates between the explain protos and the pipeline's records. Stateless. */
public final class ExplainTranslator {

  /**
   * The query a request asks for. Method options are copied as given (unset stays empty); the
   * pipeline applies the defaults and checks the ranges.
   *
   * @throws IllegalArgumentException (INVALID_ARGUMENT) when the request has no image or model, or
   *     names a method this server does not know
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
        Optional.ofNullable(deadline),
        method(req.getMethod()),
        options(req.getMethodOptions()),
        req.hasKeepFraction() ? Optional.of(req.getKeepFraction()) : Optional.empty(),
        req.getSkipScoring());
  }

  /** The pipeline's method for a proto method. */
  static ExplanationMethod method(Method m) {
    return switch (m) {
      case METHOD_GENERATOR -> ExplanationMethod.GENERATOR;
      case METHOD_GRADIENT -> ExplanationMethod.GRADIENT;
      case METHOD_SMOOTHGRAD -> ExplanationMethod.SMOOTHGRAD;
      case METHOD_INTEGRATED_GRADIENTS -> ExplanationMethod.INTEGRATED_GRADIENTS;
      case METHOD_GRAD_CAM -> ExplanationMethod.GRAD_CAM;
      case METHOD_RISE -> ExplanationMethod.RISE;
      case METHOD_OCCLUSION -> ExplanationMethod.OCCLUSION;
      case METHOD_CENTRE -> ExplanationMethod.CENTRE;
      case METHOD_RANDOM -> ExplanationMethod.RANDOM;
      case UNRECOGNIZED -> throw new IllegalArgumentException(
          "unknown method; this server knows " + java.util.Arrays.toString(ExplanationMethod.values()));
    };
  }

  /** The proto method for a pipeline method. */
  static Method method(ExplanationMethod m) {
    return switch (m) {
      case GENERATOR -> Method.METHOD_GENERATOR;
      case GRADIENT -> Method.METHOD_GRADIENT;
      case SMOOTHGRAD -> Method.METHOD_SMOOTHGRAD;
      case INTEGRATED_GRADIENTS -> Method.METHOD_INTEGRATED_GRADIENTS;
      case GRAD_CAM -> Method.METHOD_GRAD_CAM;
      case RISE -> Method.METHOD_RISE;
      case OCCLUSION -> Method.METHOD_OCCLUSION;
      case CENTRE -> Method.METHOD_CENTRE;
      case RANDOM -> Method.METHOD_RANDOM;
    };
  }

  private static AttributionOptions options(MethodOptions o) {
    AttributionOptions.Builder b = AttributionOptions.builder();
    if (o.hasSmoothgradSamples()) {
      b.smoothGradSamples(o.getSmoothgradSamples());
    }
    if (o.hasSmoothgradSigmaFraction()) {
      b.smoothGradSigmaFraction(o.getSmoothgradSigmaFraction());
    }
    if (o.hasIgSteps()) {
      b.igSteps(o.getIgSteps());
    }
    if (!o.getGradcamLayer().isEmpty()) {
      b.gradCamLayer(o.getGradcamLayer());
    }
    if (o.hasRiseMasks()) {
      b.riseMasks(o.getRiseMasks());
    }
    if (o.hasRiseGrid()) {
      b.riseGrid(o.getRiseGrid());
    }
    if (o.hasRiseP()) {
      b.riseP(o.getRiseP());
    }
    if (o.hasRiseBatch()) {
      b.riseBatch(o.getRiseBatch());
    }
    if (o.hasOcclusionWindow()) {
      b.occlusionWindow(o.getOcclusionWindow());
    }
    if (o.hasOcclusionStride()) {
      b.occlusionStride(o.getOcclusionStride());
    }
    return b.build();
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
        .setMask(mask(r.mask()))
        .setSeed(r.seed())
        .setThreshold(r.threshold())
        .setMethod(method(r.method()))
        .setSaliencyMap(SaliencyMap.newBuilder()
            .setHeight(r.saliencyMap().height())
            .setWidth(r.saliencyMap().width())
            .setData(floatsLe(r.saliencyMap().values())));
    r.region().ifPresent(g -> b.setInputRegion(io.maskserve.v1.InputRegion.newBuilder()
        .setOriginalWidth(g.originalWidth())
        .setOriginalHeight(g.originalHeight())
        .setX0(g.x0()).setY0(g.y0()).setX1(g.x1()).setY1(g.y1())
        .setInputWidth(g.inputWidth())
        .setInputHeight(g.inputHeight())));
    if (r.probabilityMap() != null) {
      b.setProbabilityMap(ProbabilityMap.newBuilder()
          .setHeight(r.probabilityMap().height())
          .setWidth(r.probabilityMap().width())
          .setData(floatsLe(r.probabilityMap().values())));
    }
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
    Mask.Builder b = Mask.newBuilder()
        .setHeight(m.height())
        .setWidth(m.width())
        .setBits(ByteString.copyFrom(m.bits()))
        .setKeepFraction(m.keepFraction());
    if (s.scored()) {
      b.setTargetProbability(s.targetProbability());
    }
    return b.build();
  }

  /** {@code values} as float32 little-endian bytes. */
  static ByteString floatsLe(float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return ByteString.copyFrom(buf.array());
  }
}
