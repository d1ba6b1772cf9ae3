package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The gpu flavour's switch: the build argument reaches a cli profile that swaps ONNX Runtime's CPU
 * jar in cli/target/lib for the GPU one of the same version. (Resolving onnxruntime_gpu needs the
 * network, so the profile's effect is checked on the pom here; the image build is where it runs.)
 */
class CudaProfileTest {

  private static final Pom CLI = Pom.of(ProjectLayout.root().resolve("cli/pom.xml"));
  private static final Pom ROOT = Pom.of(ProjectLayout.root().resolve("pom.xml"));

  private static Element profile() {
    for (Element p : Pom.children(Pom.child(CLI.root(), "profiles"), "profile")) {
      Element property = Pom.child(Pom.child(p, "activation"), "property");
      if ("ort.flavour".equals(Pom.text(property, "name"))) {
        assertEquals("gpu", Pom.text(property, "value"), "the profile is activated by ort.flavour=gpu");
        return p;
      }
    }
    throw new AssertionError("cli/pom.xml has no profile activated by the property ort.flavour (the Dockerfile's -Dort.flavour)");
  }

  @Test
  void theProfileAddsTheGpuBuildOfTheSameVersion() {
    List<Element> deps = Pom.children(Pom.child(profile(), "dependencies"), "dependency");
    Element gpu = deps.stream()
        .filter(d -> "onnxruntime_gpu".equals(Pom.text(d, "artifactId")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the profile adds no onnxruntime_gpu"));
    assertEquals("com.microsoft.onnxruntime", Pom.text(gpu, "groupId"));
    assertEquals("${onnxruntime.version}", Pom.text(gpu, "version"), "same version as the CPU build the code is tested with");
    assertNotNull(ROOT.property("onnxruntime.version"));
    String scope = Pom.text(gpu, "scope");
    assertTrue(scope == null || scope.equals("runtime") || scope.equals("compile"), "scope " + scope + " is not copied to lib/");
  }

  @Test
  void theProfileDropsTheCpuJarFromTheDistribution() {
    // Merged by id into the execution that fills target/lib (the directory bin/maskserve runs).
    String id = "copy-runtime-classpath";
    assertEquals("${project.build.directory}/lib", CLI.copyDependenciesOutput(id));
    Element execution = Pom.execution(Pom.child(profile(), "build"), "maven-dependency-plugin", id);
    assertNotNull(execution, "the profile does not configure execution " + id);
    String excluded = Pom.text(Pom.child(execution, "configuration"), "excludeArtifactIds");
    assertNotNull(excluded, "both jars would land in lib/ (same classes, either may win)");
    assertTrue(List.of(excluded.split("\\s*,\\s*")).contains("onnxruntime"), "excludeArtifactIds " + excluded);
  }
}
