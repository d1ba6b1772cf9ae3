package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HorizontalPodAutoscaler scales the Deployment on CPU and the PodDisruptionBudget covers its
 * pods, and the two agree: a drain can always go on while pods are left serving.
 */
class ScalingTest {

  private static final Manifests MANIFESTS = Manifests.project();
  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(MANIFESTS);
  private static final K8sObject HPA = MANIFESTS.one("HorizontalPodAutoscaler");
  private static final K8sObject PDB = MANIFESTS.one("PodDisruptionBudget");

  @Test
  void theAutoscalerTargetsTheDeployment() {
    Map<String, Object> ref = Tree.map(HPA.tree(), "spec.scaleTargetRef");
    assertEquals(DEPLOYMENT.object().apiVersion(), ref.get("apiVersion"));
    assertEquals("Deployment", ref.get("kind"));
    assertEquals(DEPLOYMENT.object().name(), ref.get("name"));
  }

  @Test
  void theAutoscalerOwnsTheReplicaCount() {
    // A replicas field would be re-applied over the autoscaler's choice on every kubectl apply.
    assertNull(Tree.get(DEPLOYMENT.object().tree(), "spec.replicas"), "drop spec.replicas: the HPA sets it");
  }

  @Test
  void theAutoscalerScalesOnCpuUtilisationOfTheRequest() {
    List<Object> metrics = Tree.list(HPA.tree(), "spec.metrics");
    assertEquals(1, metrics.size());
    Object metric = metrics.get(0);
    assertEquals("Resource", Tree.get(metric, "type"));
    assertEquals("cpu", Tree.get(metric, "resource.name"));
    assertEquals("Utilization", Tree.get(metric, "resource.target.type"));
    int target = Tree.integer(metric, "resource.target.averageUtilization");
    assertTrue(target > 0 && target < 100, "averageUtilization " + target + ": leave headroom while a pod starts");
    assertNotNull(Tree.get(DEPLOYMENT.container(), "resources.requests.cpu"), "utilisation needs a CPU request");
  }

  @Test
  void replicaBoundsAreSane() {
    int min = Tree.integer(HPA.tree(), "spec.minReplicas");
    int max = Tree.integer(HPA.tree(), "spec.maxReplicas");
    assertTrue(min >= 2, "minReplicas " + min + ": one pod means an outage at every drain");
    assertTrue(max >= min, "maxReplicas " + max + " < minReplicas " + min);
  }

  @Test
  void theBudgetCoversTheDeploymentsPods() {
    Map<String, Object> selector = Tree.map(PDB.tree(), "spec.selector.matchLabels");
    assertTrue(PortsAndServicesTest.matches(selector, DEPLOYMENT.podLabels()),
        "PDB selector " + selector + " vs pod labels " + DEPLOYMENT.podLabels());
  }

  @Test
  void theBudgetAllowsADrainAtTheMinimumReplicaCountAndKeepsOneServing() {
    int min = Tree.integer(HPA.tree(), "spec.minReplicas");
    Object maxUnavailable = Tree.get(PDB.tree(), "spec.maxUnavailable");
    Object minAvailable = Tree.get(PDB.tree(), "spec.minAvailable");
    assertTrue(maxUnavailable == null ^ minAvailable == null, "set exactly one of maxUnavailable and minAvailable");
    int disruptable = maxUnavailable != null
        ? absolute(maxUnavailable, min)
        : min - absolute(minAvailable, min);
    assertTrue(disruptable >= 1, "at " + min + " replicas the budget blocks every eviction");
    assertTrue(min - disruptable >= 1, "at " + min + " replicas the budget lets every pod go");
  }

  @Test
  void rollingUpdatesNeverGoBelowTheReplicaCount() {
    Object maxUnavailable = Tree.get(DEPLOYMENT.object().tree(), "spec.strategy.rollingUpdate.maxUnavailable");
    assertEquals(0, maxUnavailable, "a rollout should add a pod before removing one");
  }

  /** A PDB/strategy value: an integer, or a percentage of {@code replicas} (rounded up, as the API does). */
  private static int absolute(Object value, int replicas) {
    if (value instanceof Integer i) {
      return i;
    }
    String s = (String) value;
    assertTrue(s.endsWith("%"), "not an int or percentage: " + s);
    return (int) Math.ceil(replicas * Integer.parseInt(s.substring(0, s.length() - 1)) / 100.0);
  }
}
