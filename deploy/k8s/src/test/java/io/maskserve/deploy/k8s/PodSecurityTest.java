package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pod runs as the image's non-root user with a read-only root file system, and every place the
 * server writes (the zoo, java.io.tmpdir) is a writable volume: the zoo a shared claim when there
 * can be several replicas.
 */
class PodSecurityTest {

  private static final Manifests MANIFESTS = Manifests.project();
  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(MANIFESTS);

  @Test
  void runsAsTheImagesNonRootUser() {
    Map<String, Object> pod = Tree.map(DEPLOYMENT.podSpec(), "securityContext");
    assertEquals(true, pod.get("runAsNonRoot"));
    int uid = Tree.integer(pod, "runAsUser");
    assertTrue(uid > 0);
    assertEquals(DockerfileTest.imageUid(), uid, "runAsUser vs the Dockerfile's USER");
    assertEquals(DockerfileTest.imageGid(), Tree.integer(pod, "runAsGroup"), "runAsGroup vs the Dockerfile's USER");
    // The zoo volume is group-writable for this group.
    assertEquals(DockerfileTest.imageGid(), Tree.integer(pod, "fsGroup"));
    assertEquals("RuntimeDefault", Tree.get(pod, "seccompProfile.type"));
  }

  @Test
  void theContainerCannotGainPrivileges() {
    Map<String, Object> c = Tree.map(DEPLOYMENT.container(), "securityContext");
    assertEquals(false, c.get("allowPrivilegeEscalation"));
    assertEquals(List.of("ALL"), Tree.get(c, "capabilities.drop"));
    assertFalse(Boolean.TRUE.equals(c.get("privileged")));
    assertFalse(c.containsKey("runAsUser") && !c.get("runAsUser").equals(DockerfileTest.imageUid()));
    assertEquals(false, DEPLOYMENT.podSpec().get("automountServiceAccountToken"), "the server never calls the API");
  }

  @Test
  void withAReadOnlyRootTheTempDirectoryIsAVolume() {
    assertEquals(true, Tree.get(DEPLOYMENT.container(), "securityContext.readOnlyRootFilesystem"));
    // ONNX Runtime and Netty extract their native libraries to java.io.tmpdir, the JVM writes its
    // perf data there: it must be writable.
    String tmp = JvmOptions.systemProperty(ResourcesTest.effectiveJavaOptions(), "java.io.tmpdir", "/tmp");
    assertWritableVolume(Path.of(tmp));
  }

  /** The zoo directory the Deployment's args select (the manifests use a volume, not an S3 zoo). */
  private static Path zooDirectory() {
    var location = ServeArgs.parse(DEPLOYMENT.args()).config(Map.of()).zoo();
    if (!(location instanceof io.maskserve.zoo.ZooLocation.Directory d)) {
      throw new AssertionError("the Deployment's --zoo is not a directory: " + location);
    }
    return d.path();
  }

  @Test
  void theZooIsOnAWritableVolume() {
    Path zoo = zooDirectory();
    assertWritableVolume(zoo);
  }

  @Test
  void everyMountNamesAVolumeOfThePod() {
    Map<String, Map<String, Object>> volumes = DEPLOYMENT.volumes();
    for (var m : DEPLOYMENT.mounts().entrySet()) {
      assertTrue(volumes.containsKey(m.getValue()), "mount " + m.getKey() + " names no volume " + m.getValue());
    }
    for (String v : volumes.keySet()) {
      assertTrue(DEPLOYMENT.mounts().containsValue(v), "volume " + v + " is never mounted");
    }
  }

  @Test
  void severalReplicasShareOneZooClaim() {
    Path zoo = zooDirectory();
    Map<String, Object> volume = DEPLOYMENT.volumes().get(DEPLOYMENT.mounts().get(mountOf(zoo)));
    int maxReplicas = Tree.integer(MANIFESTS.one("HorizontalPodAutoscaler").tree(), "spec.maxReplicas");
    if (maxReplicas == 1) {
      return; // one pod: any volume keeps the zoo consistent
    }
    // Each pod's own emptyDir would give each replica a different zoo: a model registered through
    // one pod would be unknown to the others behind the same Service.
    String claim = Tree.string(volume, "persistentVolumeClaim.claimName");
    K8sObject pvc = MANIFESTS.named("PersistentVolumeClaim", claim);
    assertTrue(Tree.list(pvc.tree(), "spec.accessModes").contains("ReadWriteMany"),
        pvc + " must be ReadWriteMany for " + maxReplicas + " replicas");
    assertNotNull(Tree.get(pvc.tree(), "spec.resources.requests.storage"));
  }

  /** The mount path that holds {@code path} (the longest prefix). */
  private static String mountOf(Path path) {
    String best = null;
    for (String mount : DEPLOYMENT.mounts().keySet()) {
      if (path.startsWith(Path.of(mount)) && (best == null || mount.length() > best.length())) {
        best = mount;
      }
    }
    if (best == null) {
      throw new AssertionError(path + " is on no volume: with a read-only root it cannot be written");
    }
    return best;
  }

  private static void assertWritableVolume(Path path) {
    String mount = mountOf(path);
    assertFalse(Boolean.TRUE.equals(DEPLOYMENT.mountEntries().get(mount).get("readOnly")), mount + " is mounted read-only");
    Map<String, Object> volume = DEPLOYMENT.volumes().get(DEPLOYMENT.mounts().get(mount));
    assertNotNull(volume, "no volume for " + mount);
    assertTrue(volume.containsKey("emptyDir") || volume.containsKey("persistentVolumeClaim"),
        mount + " should be an emptyDir or a claim: " + volume);
  }
}
