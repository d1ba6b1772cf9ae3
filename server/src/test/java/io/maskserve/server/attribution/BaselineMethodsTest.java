package io.maskserve.server.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.limits.ServerLimits;
import org.junit.jupiter.api.Test;

class BaselineMethodsTest {

  private final BaselineMethods methods = new BaselineMethods(ServerLimits.builder()
      .maxRiseMasks(100).maxSmoothGradSamples(10).maxIgSteps(20).maxOcclusionWindows(50).build());

  private SaliencyMethod create(Baseline b, AttributionOptions o) {
    return methods.create(b, o, 32, 32, 1L);
  }

  private void invalid(Baseline b, AttributionOptions o, String field) {
    AttributionException e = assertThrows(AttributionException.class, () -> create(b, o));
    assertEquals(AttributionException.Reason.INVALID_ARGUMENT, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("method_options." + field), e.getMessage());
  }

  private void exhausted(Baseline b, AttributionOptions o, String flag) {
    AttributionException e = assertThrows(AttributionException.class, () -> create(b, o));
    assertEquals(AttributionException.Reason.RESOURCE_EXHAUSTED, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains(flag), e.getMessage());
  }

  private static AttributionOptions.Builder o() {
    return AttributionOptions.builder();
  }

  @Test
  void defaultsBuildEveryMethodWithinTheDefaultLimits() {
    BaselineMethods defaults = new BaselineMethods(ServerLimits.defaults());
    for (Baseline b : Baseline.values()) {
      SaliencyMethod m = defaults.create(b, AttributionOptions.defaults(), 224, 224, 3L);
      assertEquals(b.name().replace("_", "").toLowerCase(java.util.Locale.ROOT),
          m.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Test
  void outOfRangeOptionsAreInvalidArgumentsNamingTheField() {
    invalid(Baseline.SMOOTHGRAD, o().smoothGradSamples(0).build(), "smoothgrad_samples");
    invalid(Baseline.SMOOTHGRAD, o().smoothGradSamples(5).smoothGradSigmaFraction(-0.1f).build(), "smoothgrad_sigma_fraction");
    invalid(Baseline.SMOOTHGRAD, o().smoothGradSamples(5).smoothGradSigmaFraction(Float.NaN).build(), "smoothgrad_sigma_fraction");
    invalid(Baseline.INTEGRATED_GRADIENTS, o().igSteps(0).build(), "ig_steps");
    invalid(Baseline.RISE, o().riseMasks(-1).build(), "rise_masks");
    invalid(Baseline.RISE, o().riseMasks(10).riseGrid(0).build(), "rise_grid");
    invalid(Baseline.RISE, o().riseMasks(10).riseGrid(33).build(), "rise_grid");
    invalid(Baseline.RISE, o().riseMasks(10).riseP(0f).build(), "rise_p");
    invalid(Baseline.RISE, o().riseMasks(10).riseP(1.5f).build(), "rise_p");
    invalid(Baseline.RISE, o().riseMasks(10).riseBatch(0).build(), "rise_batch");
    invalid(Baseline.RISE, o().riseMasks(10).riseBatch(BaselineMethods.MAX_RISE_BATCH + 1).build(), "rise_batch");
    invalid(Baseline.OCCLUSION, o().occlusionWindow(0).build(), "occlusion_window");
    invalid(Baseline.OCCLUSION, o().occlusionWindow(33).build(), "occlusion_window");
    invalid(Baseline.OCCLUSION, o().occlusionWindow(8).occlusionStride(9).build(), "occlusion_stride");
    invalid(Baseline.OCCLUSION, o().occlusionStride(0).build(), "occlusion_stride");
  }

  @Test
  void countsAboveTheServersLimitsAreResourceExhausted() {
    exhausted(Baseline.RISE, o().riseMasks(101).build(), "--max-rise-masks");
    exhausted(Baseline.SMOOTHGRAD, o().smoothGradSamples(11).build(), "--max-smoothgrad-samples");
    exhausted(Baseline.INTEGRATED_GRADIENTS, o().igSteps(21).build(), "--max-ig-steps");
    exhausted(Baseline.OCCLUSION, o().occlusionWindow(2).occlusionStride(1).build(), "--max-occlusion-windows");
    // At the limit is fine; the defaults (4000 masks, 50 samples/steps) exceed these small limits.
    assertInstanceOf(Rise.class, create(Baseline.RISE, o().riseMasks(100).build()));
    exhausted(Baseline.RISE, AttributionOptions.defaults(), "--max-rise-masks");
  }

  @Test
  void optionsOfOtherMethodsAreIgnored() {
    AttributionOptions bad = o().riseMasks(0).igSteps(0).smoothGradSamples(0).occlusionWindow(0).build();
    assertInstanceOf(Gradient.class, create(Baseline.GRADIENT, bad));
    assertInstanceOf(GradCam.class, create(Baseline.GRAD_CAM, bad));
  }
}
