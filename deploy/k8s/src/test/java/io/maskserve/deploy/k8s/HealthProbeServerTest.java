package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probes get SERVING from a real server: started in-process from the Deployment's own
 * arguments and Secret-backed environment (only the zoo, the port and the address differ: a temp
 * directory, a free port, loopback), then asked exactly what each probe asks,
 * grpc.health.v1.Health/Check with the probe's service name and no token.
 */
class HealthProbeServerTest {

  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(Manifests.project());
  private static final List<String> PROBES = List.of("startupProbe", "livenessProbe", "readinessProbe");

  @TempDir static Path zoo;

  private static MaskserveServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    ServeArgs fromManifest = ServeArgs.parse(DEPLOYMENT.args());
    List<String> args = ServeArgs.parse(fromManifest.withValue("--zoo", zoo.toString())).withValue("--port", "0");
    args = ServeArgs.parse(args).withValue("--bind", "127.0.0.1");
    // The pod's tokens: every Secret-backed variable set, as when the Secret has all its keys.
    Map<String, String> env = new HashMap<>();
    for (var e : DEPLOYMENT.env().entrySet()) {
      if (Tree.get(e.getValue(), "valueFrom.secretKeyRef") != null) {
        env.put(e.getKey(), "probe-test-token-" + e.getKey().toLowerCase());
      }
    }
    ServerConfig config = ServeArgs.parse(args).config(env);
    assertNotNull(config.security().adminToken(), "the admin token should be configured as in the pod");
    server = MaskserveServer.start(config);
    channel = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private static ServingStatus check(String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  @Test
  void everyProbeGetsServingWithoutAToken() {
    for (String kind : PROBES) {
      Object service = Tree.get(DEPLOYMENT.probe(kind), "grpc.service");
      // The kubelet sends "" when the probe names no service.
      assertEquals(ServingStatus.SERVING, check(service == null ? "" : (String) service), kind + " service " + service);
    }
  }

  @Test
  void aServiceTheServerDoesNotReportFailsTheProbe() {
    // So the probes' SERVING above depends on naming a service the server really registers.
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> check("maskserve.v1.NoSuchService"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }
}
