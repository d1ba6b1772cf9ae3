package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.ServerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Requests and limits against the figures measured in BENCHMARKS.md ({@link Benchmarks}) and the
 * server's own settings: memory for the JVM heap the options allow plus what the server was seen
 * to use outside it, CPU for the inference threads the args start.
 */
class ResourcesTest {

  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(Manifests.project());

  private static long memory(String which) {
    return Quantities.bytes(Tree.get(DEPLOYMENT.container(), "resources." + which + ".memory"));
  }

  private static double cpu(String which) {
    Object q = Tree.get(DEPLOYMENT.container(), "resources." + which + ".cpu");
    return q == null ? Double.NaN : Quantities.cores(q);
  }

  /**
   * The JVM options the container runs with: its MASKSERVE_JAVA_OPTS, else the image's ENV, else
   * the launcher's default.
   */
  static String effectiveJavaOptions() {
    String fromPod = DEPLOYMENT.literalEnv().get("MASKSERVE_JAVA_OPTS");
    if (fromPod != null) {
      return fromPod;
    }
    String fromImage = DockerfileTest.imageEnv(DockerfileTest.cpuLineage()).get("MASKSERVE_JAVA_OPTS");
    return fromImage != null ? fromImage : Launcher.project().defaultJavaOptions();
  }

  @Test
  void memoryRequestCoversTheServerAtRestWithOneModel() {
    long needed = Quantities.fromMib(Benchmarks.RSS_AT_REST_MIB + Benchmarks.RSS_PER_MODEL_MIB);
    assertTrue(memory("requests") >= needed,
        "memory request " + Quantities.mib(memory("requests")) + " MiB < " + Quantities.mib(needed) + " MiB");
  }

  @Test
  void memoryRequestCoversTheMeasuredPeak() {
    // The scheduler places pods by requests: the peak seen under load (two models, 64 clients).
    assertTrue(memory("requests") >= Quantities.fromMib(Benchmarks.RSS_PEAK_MIB),
        "memory request " + Quantities.mib(memory("requests")) + " MiB < peak " + Benchmarks.RSS_PEAK_MIB + " MiB");
  }

  @Test
  void memoryLimitLeavesRoomForAFullHeapAndTheNativeMemory() {
    long limit = memory("limits");
    long heap = JvmOptions.maxHeapBytes(effectiveJavaOptions(), limit);
    // Outside the heap: the JVM itself (the at-rest RSS, with 10 MiB live heap) and a model's
    // ONNX Runtime arenas. Below this the kernel would kill the pod before the JVM's own
    // OutOfMemoryError could say what ran out.
    long needed = heap + Quantities.fromMib(Benchmarks.RSS_AT_REST_MIB + Benchmarks.RSS_PER_MODEL_MIB);
    assertTrue(limit >= needed, "memory limit " + Quantities.mib(limit) + " MiB < heap " + Quantities.mib(heap)
        + " MiB + " + (Benchmarks.RSS_AT_REST_MIB + Benchmarks.RSS_PER_MODEL_MIB) + " MiB (" + effectiveJavaOptions() + ")");
    assertTrue(limit >= memory("requests"), "limit below request");
  }

  @Test
  void theHeapIsBoundedByTheOptionsNotTheLaunchersDefault() {
    // The launcher's default -Xmx2g exceeds the limit: the container must override it.
    long limit = memory("limits");
    assertTrue(JvmOptions.maxHeapBytes(effectiveJavaOptions(), limit) < limit, effectiveJavaOptions());
  }

  @Test
  void cpuRequestHoldsTheInferenceThreads() {
    ServeArgs args = ServeArgs.parse(DEPLOYMENT.args());
    ServerConfig config = args.config(Map.of());
    double request = cpu("requests");
    assertTrue(request > 0, "no CPU request: the HorizontalPodAutoscaler's utilisation is relative to it");
    // Without --workers the server starts one per available processor: the CPU limit in a pod.
    assertTrue(args.given("--workers") || !Double.isNaN(cpu("limits")),
        "neither --workers nor a CPU limit: the worker count would follow the node's cores");
    // Each worker runs one batch at a time with --intra-op-threads ONNX Runtime threads.
    int inference = config.workerThreads() * Math.max(1, config.intraOpThreads());
    assertTrue(inference <= request, inference + " inference threads on a request of " + request + " cores");
  }

  @Test
  void cpuRequestIsWhatTheFiguresWereMeasuredOn() {
    // BENCHMARKS.md's throughput and CPU per request were measured with the server on 2 cores.
    assertTrue(cpu("requests") >= Benchmarks.MEASURED_CORES, "cpu request " + cpu("requests"));
    double limit = cpu("limits");
    assertTrue(Double.isNaN(limit) || limit >= cpu("requests"), "cpu limit below request");
  }

  @Test
  void requestsAndLimitsAreAllSet() {
    for (String path : new String[] {"requests.cpu", "requests.memory", "limits.memory"}) {
      assertNotNull(Tree.get(DEPLOYMENT.container(), "resources." + path), path);
    }
  }
}
