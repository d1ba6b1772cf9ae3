package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every manifest file parses into complete, namespace-agnostic objects of the expected kinds. */
class ManifestFilesTest {

  private static final Manifests MANIFESTS = Manifests.project();

  /** The API versions each kind is written for (the stable ones; autoscaling/v2 since 1.23). */
  private static final Map<String, String> API_VERSIONS = Map.of(
      "Deployment", "apps/v1",
      "Service", "v1",
      "HorizontalPodAutoscaler", "autoscaling/v2",
      "PodDisruptionBudget", "policy/v1",
      "PersistentVolumeClaim", "v1");

  @Test
  void everyFileHoldsAtLeastOneObject() {
    assertFalse(MANIFESTS.files().isEmpty(), "no manifests in " + ProjectLayout.manifests());
    for (var file : MANIFESTS.files()) {
      assertTrue(MANIFESTS.all().stream().anyMatch(o -> o.file().equals(file)), file + " holds no object");
    }
  }

  @Test
  void everyObjectIsAKnownKindWithItsStableApiVersion() {
    for (K8sObject o : MANIFESTS.all()) {
      String expected = API_VERSIONS.get(o.kind());
      assertTrue(expected != null, "unexpected kind " + o + ": add its checks to the tests");
      assertEquals(expected, o.apiVersion(), o + " apiVersion");
    }
  }

  @Test
  void theDeploymentsCompanionsAreAllThere() {
    assertEquals(1, MANIFESTS.ofKind("Deployment").size());
    assertEquals(2, MANIFESTS.ofKind("Service").size(), "a ClusterIP and a headless Service");
    assertEquals(1, MANIFESTS.ofKind("HorizontalPodAutoscaler").size());
    assertEquals(1, MANIFESTS.ofKind("PodDisruptionBudget").size());
    assertEquals(1, MANIFESTS.ofKind("PersistentVolumeClaim").size());
  }

  @Test
  void objectsNameNoNamespaceSoTheyApplyToAnyNamespace() {
    for (K8sObject o : MANIFESTS.all()) {
      assertNull(Tree.get(o.tree(), "metadata.namespace"), o + " names a namespace");
    }
  }

  @Test
  void namesAreValidAndUniquePerKind() {
    Set<String> seen = new HashSet<>();
    for (K8sObject o : MANIFESTS.all()) {
      assertTrue(o.name().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && o.name().length() <= 63,
          o + ": not a DNS-1035 label");
      assertTrue(seen.add(o.kind() + "/" + o.name()), "duplicate " + o);
    }
  }

  @Test
  void everyObjectCarriesTheAppLabelsOfThePods() {
    Map<String, Object> podLabels = ServerDeployment.of(MANIFESTS).podLabels();
    for (K8sObject o : MANIFESTS.all()) {
      Map<String, Object> labels = Tree.map(o.tree(), "metadata.labels");
      for (String key : List.of("app.kubernetes.io/name", "app.kubernetes.io/component")) {
        assertEquals(podLabels.get(key), labels.get(key), o + " label " + key);
      }
    }
  }
}
