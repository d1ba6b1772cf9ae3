package io.maskserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.maskserve.server.attribution.AttributionOptions;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationMethod;
import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.sampling.PackedMask;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.Method;
import io.maskserve.v1.MethodOptions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ExplainTranslatorTest {

  private final ExplainTranslator translator = new ExplainTranslator();

  private static ExplainRequest.Builder request() {
    return ExplainRequest.newBuilder().setModel("m").setEncoded(ByteString.copyFrom(new byte[] {1}));
  }

  @Test
  void mapsEveryMethodAndOption() {
    for (Method m : Method.values()) {
      if (m != Method.UNRECOGNIZED) {
        assertEquals(m, ExplainTranslator.method(ExplainTranslator.method(m)));
      }
    }
    ExplainQuery q = translator.toQuery(request().setMethod(Method.METHOD_RISE).setKeepFraction(0.3f)
        .setMethodOptions(MethodOptions.newBuilder().setSmoothgradSamples(1).setSmoothgradSigmaFraction(0.2f)
            .setIgSteps(3).setGradcamLayer("L").setRiseMasks(4).setRiseGrid(5).setRiseP(0.6f).setRiseBatch(7)
            .setOcclusionWindow(8).setOcclusionStride(9))
        .build(), null);
    assertEquals(ExplanationMethod.RISE, q.method());
    assertEquals(Optional.of(0.3f), q.keepFraction());
    AttributionOptions o = q.methodOptions();
    assertEquals(OptionalInt.of(1), o.smoothGradSamples());
    assertEquals(Optional.of(0.2f), o.smoothGradSigmaFraction());
    assertEquals(OptionalInt.of(3), o.igSteps());
    assertEquals(Optional.of("L"), o.gradCamLayer());
    assertEquals(OptionalInt.of(4), o.riseMasks());
    assertEquals(OptionalInt.of(5), o.riseGrid());
    assertEquals(Optional.of(0.6f), o.riseP());
    assertEquals(OptionalInt.of(7), o.riseBatch());
    assertEquals(OptionalInt.of(8), o.occlusionWindow());
    assertEquals(OptionalInt.of(9), o.occlusionStride());

    // Unset stays unset (explicit zeros are kept: they are out of range, not "default").
    ExplainQuery plain = translator.toQuery(request().build(), null);
    assertEquals(ExplanationMethod.GENERATOR, plain.method());
    assertEquals(AttributionOptions.defaults(), plain.methodOptions());
    assertEquals(Optional.empty(), plain.keepFraction());
    assertFalse(plain.skipScoring());
    assertTrue(translator.toQuery(request().setSkipScoring(true).build(), null).skipScoring());
    ExplainQuery zero = translator.toQuery(request()
        .setMethodOptions(MethodOptions.newBuilder().setRiseMasks(0)).build(), null);
    assertEquals(OptionalInt.of(0), zero.methodOptions().riseMasks());

    assertThrows(IllegalArgumentException.class, () -> translator.toQuery(request().setMethodValue(42).build(), null));
  }

  @Test
  void aBaselineResponseHasASaliencyMapAndNoProbabilityMap() {
    PackedMask mask = PackedMask.pack(1, 2, new boolean[] {true, false});
    ExplanationResult r = new ExplanationResult("m", "1", List.of(), 0, "a", 0.9f, null, 0f,
        new ExplanationResult.ScoredMask(mask, 0.5f), List.of(), 3L, null,
        new ExplanationResult.StageTimings(1, 2, 3, 4, 5, 6, 0, 21), ExplanationMethod.OCCLUSION,
        new ExplanationResult.SaliencyMap(1, 2, new float[] {-0.5f, 2f}));
    ExplainResponse p = translator.toResponse("id", r);
    assertFalse(p.hasProbabilityMap());
    assertEquals(Method.METHOD_OCCLUSION, p.getMethod());
    assertEquals(ExplainTranslator.floatsLe(new float[] {-0.5f, 2f}), p.getSaliencyMap().getData());
    assertEquals(3, p.getTiming().getGenerateMicros());
    assertTrue(p.hasMask());
  }

  @Test
  void anUnscoredMaskHasNoTargetProbabilityOnTheWire() {
    PackedMask mask = PackedMask.pack(1, 2, new boolean[] {true, false});
    ExplanationResult.ScoredMask scored = new ExplanationResult.ScoredMask(mask, 0.25f);
    ExplanationResult r = new ExplanationResult("m", "1", List.of(), 0, "a", 0.9f,
        new ExplanationResult.ProbabilityMap(1, 2, new float[] {0.7f, 0.1f}), 0.5f,
        ExplanationResult.ScoredMask.unscored(mask), List.of(scored, ExplanationResult.ScoredMask.unscored(mask)), 3L,
        null, new ExplanationResult.StageTimings(1, 2, 3, 4, 0, 0, 0, 10));
    ExplainResponse p = translator.toResponse("id", r);
    assertFalse(p.getMask().hasTargetProbability());
    assertEquals(0.5, p.getMask().getKeepFraction(), 1e-6);
    assertTrue(p.getSamples(0).hasTargetProbability());
    assertEquals(0.25f, p.getSamples(0).getTargetProbability());
    assertFalse(p.getSamples(1).hasTargetProbability());
    // A NaN the classifier returned is a score: it is sent, not taken for "not scored".
    ExplainResponse nan = translator.toResponse("id", new ExplanationResult("m", "1", List.of(), 0, "a", 0.9f,
        r.probabilityMap(), 0.5f, new ExplanationResult.ScoredMask(mask, Float.NaN), List.of(), 3L, null, r.timings()));
    assertTrue(nan.getMask().hasTargetProbability());
    assertTrue(Float.isNaN(nan.getMask().getTargetProbability()));
  }
}
