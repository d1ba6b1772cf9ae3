package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One port everywhere: the one the server's args select (or its default) is the container port,
 * every probe's port and every Service's target; both Services select the Deployment's pods, and
 * the headless one has no cluster IP.
 */
class PortsAndServicesTest {

  private static final Manifests MANIFESTS = Manifests.project();
  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(MANIFESTS);

  private static int serverPort() {
    return ServeArgs.parse(DEPLOYMENT.args()).config(Map.of()).port();
  }

  @Test
  void theContainerExposesTheServersPort() {
    Map<String, Integer> ports = DEPLOYMENT.namedPorts();
    assertEquals(1, ports.size(), "one gRPC port: " + ports);
    assertEquals(serverPort(), ports.values().iterator().next(), "containerPort vs the port serve listens on");
    assertEquals("TCP", Tree.get(Tree.list(DEPLOYMENT.container(), "ports").get(0), "protocol"));
  }

  @Test
  void everyProbeCallsTheServersPortOverGrpc() {
    for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      Map<String, Object> probe = DEPLOYMENT.probe(kind);
      assertNotNull(probe, "no " + kind);
      // grpc probes take a number only (no named ports).
      assertEquals(serverPort(), Tree.integer(probe, "grpc.port"), kind + " port");
    }
  }

  @Test
  void servicesTargetTheServersPortAndSelectTheDeploymentsPods() {
    for (K8sObject service : MANIFESTS.ofKind("Service")) {
      assertTrue(matches(Tree.map(service.tree(), "spec.selector"), DEPLOYMENT.podLabels()),
          service + " selector does not select the Deployment's pods");
      List<Object> ports = Tree.list(service.tree(), "spec.ports");
      assertEquals(1, ports.size(), service + " ports");
      Object target = Tree.get(ports.get(0), "targetPort");
      int resolved = target instanceof String name
          ? DEPLOYMENT.namedPorts().getOrDefault(name, -1)
          : (Integer) (target == null ? Tree.get(ports.get(0), "port") : target);
      assertEquals(serverPort(), resolved, service + " targetPort " + target);
      // Tells proxies and meshes the port speaks cleartext HTTP/2 (what the server serves without TLS).
      assertEquals("kubernetes.io/h2c", Tree.get(ports.get(0), "appProtocol"), service + " appProtocol");
    }
  }

  @Test
  void oneServiceIsHeadlessForClientSideBalancingTheOtherHasAClusterIp() {
    K8sObject headless = MANIFESTS.named("Service", "maskserve-headless");
    K8sObject clusterIp = MANIFESTS.named("Service", "maskserve");
    assertEquals("None", Tree.get(headless.tree(), "spec.clusterIP"));
    assertNotEquals("None", Tree.get(clusterIp.tree(), "spec.clusterIP"));
    assertEquals(Tree.get(clusterIp.tree(), "spec.selector"), Tree.get(headless.tree(), "spec.selector"));
    assertEquals(Tree.get(clusterIp.tree(), "spec.ports"), Tree.get(headless.tree(), "spec.ports"));
    // Not-ready pods must stay out of the DNS answer, or clients would balance onto draining pods.
    assertTrue(!Boolean.TRUE.equals(Tree.get(headless.tree(), "spec.publishNotReadyAddresses")));
  }

  @Test
  void theDeploymentSelectorMatchesItsPodTemplate() {
    Map<String, Object> selector = Tree.map(DEPLOYMENT.object().tree(), "spec.selector.matchLabels");
    assertTrue(matches(selector, DEPLOYMENT.podLabels()), "selector " + selector + " vs " + DEPLOYMENT.podLabels());
  }

  /** Whether every label of {@code selector} is on {@code labels} with the same value. */
  static boolean matches(Map<String, Object> selector, Map<String, Object> labels) {
    return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
