package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/README.md agrees with the files: the image it builds is the one the Deployment runs, the
 * client target it gives is the headless Service's name and port, and every serve flag it shows
 * exists.
 */
class ReadmeTest {

  private static final String README = ProjectLayout.read(ProjectLayout.deployReadme());
  private static final Manifests MANIFESTS = Manifests.project();
  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(MANIFESTS);

  @Test
  void theDeploymentRunsTheImageTheReadmeBuilds() {
    String image = Tree.string(DEPLOYMENT.container(), "image");
    assertTrue(README.contains("docker build -f deploy/docker/Dockerfile -t " + image + " ."),
        "README does not build " + image);
    String version = Pom.of(ProjectLayout.root().resolve("pom.xml")).version();
    assertEquals(version, image.substring(image.lastIndexOf(':') + 1), "image tag vs the project version");
  }

  @Test
  void theClientTargetIsTheHeadlessService() {
    K8sObject headless = MANIFESTS.named("Service", "maskserve-headless");
    int port = Tree.integer(Tree.list(headless.tree(), "spec.ports").get(0), "port");
    String target = "dns:///" + headless.name() + ".NAMESPACE.svc.cluster.local:" + port;
    assertTrue(README.contains(target), "README does not give the client target " + target);
    assertTrue(README.contains("round_robin"), "README does not name the round_robin policy");
  }

  @Test
  void everyServeCommandLineInTheReadmeIsValid() {
    // Lines such as `docker run ... IMAGE serve --zoo ... --port ...`: what follows the image.
    Matcher m = Pattern.compile("maskserve:[\\w.-]+ (serve(?: [^\\n\\\\`]+)?)").matcher(README);
    int found = 0;
    while (m.find()) {
      List<String> args = List.of(m.group(1).trim().split("\\s+"));
      ServeArgs.parse(args).config(Map.of());
      found++;
    }
    assertTrue(found > 0, "README shows no `IMAGE serve ...` command line");
  }
}
