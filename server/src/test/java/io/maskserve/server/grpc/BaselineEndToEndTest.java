package io.maskserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.Mask;
import io.maskserve.v1.Method;
import io.maskserve.v1.MethodOptions;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The baseline methods over a real port: every method on ResNet-20, the contract's fields and statuses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BaselineEndToEndTest {

  static final int MAX_RISE_MASKS = 1000;

  @TempDir static Path zoo;
  private MaskserveServer server;
  private ManagedChannel channel;
  private ExplainServiceGrpc.ExplainServiceBlockingStub explain;

  @BeforeAll
  void start() {
    TestData.populate(zoo, "1", 8);
    server = MaskserveServer.start(ServerConfig.builder()
        .zoo(zoo)
        .port(0)
        .limits(ServerLimits.builder().maxRiseMasks(MAX_RISE_MASKS).build())
        .shutdownGrace(Duration.ofSeconds(5))
        .build());
    channel = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    explain = ExplainServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private ExplainResponse call(ExplainRequest r) {
    return explain.withDeadlineAfter(60, TimeUnit.SECONDS).explain(r);
  }

  private static ExplainRequest.Builder request(Method m) {
    return ExplainRequest.newBuilder()
        .setModel(TestData.MODEL)
        .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage("cat", 805))))
        .setMethod(m);
  }

  /** Small enough for a test: the defaults' RISE (4000 masks) alone would take seconds. */
  private static final MethodOptions SMALL = MethodOptions.newBuilder()
      .setSmoothgradSamples(8).setIgSteps(16).setRiseMasks(256).setRiseBatch(128).build();

  private static float[] floats(ByteString le) {
    float[] f = new float[le.size() / 4];
    le.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  private static boolean bit(Mask m, int i) {
    return (m.getBits().byteAt(i / 8) & (0x80 >>> (i % 8))) != 0;
  }

  private Status statusOf(ExplainRequest r) {
    return assertThrows(StatusRuntimeException.class, () -> call(r)).getStatus();
  }

  @Test
  void everyMethodIsServedWithItsSaliencyMapAndATopFractionMask() {
    for (Method m : Method.values()) {
      if (m == Method.UNRECOGNIZED || m == Method.METHOD_GENERATOR) {
        continue;
      }
      ExplainResponse r = call(request(m).setMethodOptions(SMALL).setKeepFraction(0.2f).setSeed(3)
          .setIncludeOverlayPng(m == Method.METHOD_RISE).setRequestId(m.name()).build());
      assertEquals(m.name(), r.getRequestId());
      assertEquals(m, r.getMethod());
      assertFalse(r.hasProbabilityMap(), m + ": no keep probabilities");
      assertEquals(32, r.getSaliencyMap().getHeight());
      assertEquals(32, r.getSaliencyMap().getWidth());
      float[] s = floats(r.getSaliencyMap().getData());
      assertEquals(1024, s.length);
      // round(0.2 * 1024) = 205 pixels, the most salient ones.
      Mask mask = r.getMask();
      assertEquals(205 / 1024f, mask.getKeepFraction(), 1e-6f, m.name());
      float minKept = Float.POSITIVE_INFINITY;
      float maxDropped = Float.NEGATIVE_INFINITY;
      int kept = 0;
      for (int i = 0; i < 1024; i++) {
        assertTrue(Float.isFinite(s[i]));
        if (bit(mask, i)) {
          kept++;
          minKept = Math.min(minKept, s[i]);
        } else {
          maxDropped = Math.max(maxDropped, s[i]);
        }
      }
      assertEquals(205, kept);
      assertTrue(minKept >= maxDropped, m.name());
      assertTrue(mask.getTargetProbability() >= 0f && mask.getTargetProbability() <= 1f);
      assertEquals(0, r.getSamplesCount());
      assertEquals(3L, r.getSeed());
      assertEquals(0f, r.getThreshold());
      assertEquals(5, r.getPredictionsCount());
      assertTrue(r.getTiming().getGenerateMicros() > 0, m + ": the method's time is in generate_micros");
      assertEquals(m == Method.METHOD_RISE, r.getOverlayPng().size() > 0);
    }
  }

  @Test
  void generatorRequestsAreUnchangedAndAlsoCarryTheSaliencyMap() {
    ExplainResponse r = call(request(Method.METHOD_GENERATOR).setNumSamples(2).setSeed(9).build());
    assertEquals(Method.METHOD_GENERATOR, r.getMethod());
    assertTrue(r.hasProbabilityMap());
    assertEquals(r.getProbabilityMap().getData(), r.getSaliencyMap().getData());
    assertEquals(2, r.getSamplesCount());
    assertEquals(0.5f, r.getThreshold());
    // A request that never heard of methods is a generator request.
    ExplainResponse legacy = call(request(Method.METHOD_GENERATOR).clearMethod().setNumSamples(2).setSeed(9).build());
    assertArrayEquals(floats(r.getProbabilityMap().getData()), floats(legacy.getProbabilityMap().getData()));
    assertEquals(r.getSamplesList(), legacy.getSamplesList());
  }

  @Test
  void invalidRequestsAndLimitsHavePreciseStatuses() {
    Status samples = statusOf(request(Method.METHOD_GRADIENT).setNumSamples(1).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, samples.getCode());
    assertTrue(samples.getDescription().contains("num_samples"), samples.getDescription());

    Status masks = statusOf(request(Method.METHOD_RISE)
        .setMethodOptions(MethodOptions.newBuilder().setRiseMasks(MAX_RISE_MASKS + 1)).build());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, masks.getCode());
    assertTrue(masks.getDescription().contains("--max-rise-masks"), masks.getDescription());

    Status p = statusOf(request(Method.METHOD_RISE)
        .setMethodOptions(MethodOptions.newBuilder().setRiseMasks(10).setRiseP(0f)).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, p.getCode());
    assertTrue(p.getDescription().contains("method_options.rise_p"), p.getDescription());

    Status layer = statusOf(request(Method.METHOD_GRAD_CAM)
        .setMethodOptions(MethodOptions.newBuilder().setGradcamLayer("conv99")).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, layer.getCode());
    assertTrue(layer.getDescription().contains("conv99")
        && layer.getDescription().contains("/layer3/layer3.2/conv2/Conv_output_0"), layer.getDescription());

    Status keep = statusOf(request(Method.METHOD_OCCLUSION).setKeepFraction(-0.5f).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, keep.getCode());

    Status unknown = statusOf(request(Method.METHOD_GRADIENT).setMethodValue(99).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getCode());
    assertTrue(unknown.getDescription().contains("method"), unknown.getDescription());

    // RISE at the limit in batches of one cannot finish in 300 ms.
    StatusRuntimeException late = assertThrows(StatusRuntimeException.class, () -> explain
        .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
        .explain(request(Method.METHOD_RISE)
            .setMethodOptions(MethodOptions.newBuilder().setRiseMasks(MAX_RISE_MASKS).setRiseBatch(1)).build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());

    // Named Grad-CAM layer that exists: served.
    ExplainResponse named = call(request(Method.METHOD_GRAD_CAM)
        .setMethodOptions(MethodOptions.newBuilder().setGradcamLayer("/layer2/layer2.2/Relu_1_output_0")).build());
    assertEquals(Method.METHOD_GRAD_CAM, named.getMethod());
  }
}
