package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.v1.ExplainRequest;
import org.junit.jupiter.api.Test;

/** {@link RequestOptions}: what an evaluation adds to each explain request. */
class RequestOptionsTest {

  @Test
  void baselinesGetTheirOptionsAndTheGeneratorOnlyTheSeed() {
    RequestOptions o = new RequestOptions(5, 0.3f, 100, 7, 9, "/layer2/out");
    ExplainRequest cam = o.apply(ExplainRequest.newBuilder(), MethodName.GRAD_CAM).build();
    assertEquals("/layer2/out", cam.getMethodOptions().getGradcamLayer());
    assertEquals(100, cam.getMethodOptions().getRiseMasks());
    assertEquals(0.3f, cam.getKeepFraction());
    assertEquals(5, cam.getSeed());
    ExplainRequest gen = o.apply(ExplainRequest.newBuilder(), MethodName.GENERATOR).build();
    assertFalse(gen.hasMethodOptions());
    assertEquals(5, gen.getSeed());
    ExplainRequest auto = new RequestOptions(5, null, null, null, null, null)
        .apply(ExplainRequest.newBuilder(), MethodName.GRAD_CAM).build();
    assertTrue(auto.getMethodOptions().getGradcamLayer().isEmpty(), "the server picks the last convolution");
  }
}
