package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.ServerConfig;
import io.maskserve.v1.ExplainServiceGrpc;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The probes ask the right health services (the server's behaviour is checked live in {@link
 * HealthProbeServerTest}) and the pod's shutdown timing lets the server drain.
 */
class ProbesTest {

  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(Manifests.project());

  @Test
  void livenessAsksForTheWholeServer() {
    // Service "" is the server as a whole: a liveness failure restarts the pod, so it must not
    // depend on one service's state.
    Object service = Tree.get(DEPLOYMENT.probe("livenessProbe"), "grpc.service");
    assertTrue(service == null || service.equals(""), "liveness service " + service);
  }

  @Test
  void readinessAsksForTheExplainService() {
    assertEquals(ExplainServiceGrpc.SERVICE_NAME, Tree.get(DEPLOYMENT.probe("readinessProbe"), "grpc.service"));
  }

  @Test
  void probesUseGrpcOnlyAndTheServerHasNoTls() {
    // The kubelet's gRPC probe speaks plaintext: with --tls-cert the probes would fail.
    for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      Map<String, Object> probe = DEPLOYMENT.probe(kind);
      assertNull(probe.get("httpGet"), kind);
      assertNull(probe.get("tcpSocket"), kind);
      assertNull(probe.get("exec"), kind);
    }
    assertNull(ServeArgs.parse(DEPLOYMENT.args()).config(Map.of()).security().tls());
  }

  @Test
  void livenessStartsOnlyAfterStartupAndToleratesASlowCall() {
    Map<String, Object> startup = DEPLOYMENT.probe("startupProbe");
    int startupBudget = Tree.integer(startup, "periodSeconds") * Tree.integer(startup, "failureThreshold");
    assertTrue(startupBudget >= 30, "startup budget " + startupBudget + " s: JVM start, native libraries, zoo read");
    Map<String, Object> liveness = DEPLOYMENT.probe("livenessProbe");
    assertTrue(Tree.integer(liveness, "failureThreshold") >= 3, "one slow health call must not restart the pod");
  }

  @Test
  void terminationGraceCoversPreStopAndTheServersDrain() {
    ServerConfig config = ServeArgs.parse(DEPLOYMENT.args()).config(Map.of());
    List<Object> preStop = Tree.list(DEPLOYMENT.container(), "lifecycle.preStop.exec.command");
    assertEquals("sleep", preStop.get(0), "preStop " + preStop);
    long sleep = Long.parseLong((String) preStop.get(1));
    long afterCancel = serverWaitAfterCancelSeconds();
    long needed = sleep + config.shutdownGrace().toSeconds() + afterCancel;
    int grace = Tree.integer(DEPLOYMENT.podSpec(), "terminationGracePeriodSeconds");
    assertTrue(grace > needed, "terminationGracePeriodSeconds " + grace + " <= preStop " + sleep
        + " s + --shutdown-grace " + config.shutdownGrace().toSeconds() + " s + " + afterCancel + " s");
  }

  /**
   * After --shutdown-grace, {@code MaskserveServer.close()} cancels the calls left and waits a
   * few more seconds for the server to terminate: that wait, read from its source.
   */
  private static long serverWaitAfterCancelSeconds() {
    String source = ProjectLayout.read(ProjectLayout.root().resolve("server/src/main/java/io/maskserve/server/MaskserveServer.java"));
    Matcher m = Pattern.compile("shutdownNow\\(\\);\\s*grpc\\.awaitTermination\\((\\d+), TimeUnit\\.SECONDS\\)").matcher(source);
    assertTrue(m.find(), "MaskserveServer.close() no longer waits N seconds after shutdownNow(): update this test");
    return Long.parseLong(m.group(1));
  }
}
