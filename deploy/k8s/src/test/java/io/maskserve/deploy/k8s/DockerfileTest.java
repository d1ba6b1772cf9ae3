package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.deploy.k8s.Dockerfile.Instruction;
import io.maskserve.deploy.k8s.Dockerfile.Stage;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.runtime.Device;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/docker/Dockerfile, checked without a Docker daemon: its stages for both ONNX Runtime
 * flavours, the files it copies (present in the repository or made by the build it runs, in the
 * layout bin/maskserve expects), its non-root user, and its default command, which must be a valid
 * serve command line listening on the exposed port.
 */
class DockerfileTest {

  static final Dockerfile DOCKERFILE = Dockerfile.parse(ProjectLayout.read(ProjectLayout.dockerfile()));

  /** The build argument choosing ONNX Runtime's build, and its values. */
  static final String FLAVOUR_ARG = "ORT_FLAVOUR";

  private static final Pattern USER = Pattern.compile("(\\d+)(?::(\\d+))?");

  /** The stages the final image inherits from when built with {@code ORT_FLAVOUR=flavour}. */
  static List<Stage> lineage(String flavour) {
    return DOCKERFILE.lineage(DOCKERFILE.last(), Map.of(FLAVOUR_ARG, flavour));
  }

  static List<Stage> cpuLineage() {
    return lineage(DOCKERFILE.globalArgs().get(FLAVOUR_ARG));
  }

  static int imageUid() {
    return user(cpuLineage())[0];
  }

  static int imageGid() {
    return user(cpuLineage())[1];
  }

  /** USER in force as {uid, gid}; a name instead of a number is an error (Kubernetes' runAsNonRoot needs a number). */
  static int[] user(List<Stage> lineage) {
    Instruction user = Dockerfile.inForce(lineage, "USER").orElseThrow(() -> new AssertionError("no USER: runs as root"));
    Matcher m = USER.matcher(user.text().trim());
    assertTrue(m.matches(), "USER " + user.text() + " must be numeric UID[:GID] (runAsNonRoot cannot check a name)");
    int uid = Integer.parseInt(m.group(1));
    return new int[] {uid, m.group(2) == null ? uid : Integer.parseInt(m.group(2))};
  }

  /** ENV set along the lineage, later values winning. */
  static Map<String, String> imageEnv(List<Stage> lineage) {
    Map<String, String> env = new LinkedHashMap<>();
    Pattern kv = Pattern.compile("(\\w+)=(\"((?:[^\"\\\\]|\\\\.)*)\"|\\S+)");
    for (Stage s : lineage) {
      for (Instruction i : s.all("ENV")) {
        Matcher m = kv.matcher(i.text());
        boolean any = false;
        while (m.find()) {
          env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
          any = true;
        }
        if (!any) {
          String[] legacy = i.text().trim().split("\\s+", 2);
          env.put(legacy[0], legacy.length > 1 ? legacy[1] : "");
        }
      }
    }
    return env;
  }

  private static String workdir(List<Stage> lineage) {
    return Dockerfile.inForce(lineage, "WORKDIR").map(i -> i.text().trim()).orElse("/");
  }

  private static String resolve(String workdir, String path) {
    return path.startsWith("/") ? path : (workdir.endsWith("/") ? workdir : workdir + "/") + path;
  }

  private static List<Instruction> runs(List<Stage> lineage) {
    return lineage.stream().flatMap(s -> s.all("RUN").stream()).toList();
  }

  @Test
  void theFlavourArgumentDefaultsToCpu() {
    assertEquals("cpu", DOCKERFILE.globalArgs().get(FLAVOUR_ARG));
  }

  @Test
  void theBuildStageBuildsTheDistributionWithMavenOnJava17() {
    Stage build = DOCKERFILE.stage("build");
    assertTrue(build.base().matches("maven:3[\\w.-]*-eclipse-temurin-17[\\w.-]*"), "build base " + build.base());
    assertTrue(build.all("ARG").stream().anyMatch(a -> a.text().trim().equals(FLAVOUR_ARG)),
        "the build stage must declare ARG " + FLAVOUR_ARG + " to see its value");
    Instruction mvn = build.all("RUN").stream()
        .filter(r -> r.words().contains("mvn"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the build stage runs no mvn"));
    List<String> w = mvn.words();
    assertTrue(w.contains("package") || w.contains("install"), "mvn " + w + " does not reach package");
    assertTrue(w.contains("-DskipTests"), "tests need ../shared, which is not in the build context");
    assertTrue(w.contains("-Dort.flavour=${" + FLAVOUR_ARG + "}"), "the flavour must reach the cli profile: " + w);
    int pl = w.indexOf("-pl");
    if (pl >= 0) {
      assertEquals("cli", w.get(pl + 1), "the distribution is the cli module");
      assertTrue(w.contains("-am"), "-pl cli needs -am to build the modules it depends on");
    }
  }

  @Test
  void theCpuFlavourRunsOnAJava17Runtime() {
    assertTrue(DOCKERFILE.baseImage(DOCKERFILE.last(), Map.of(FLAVOUR_ARG, "cpu")).matches("eclipse-temurin:17-jre[\\w.-]*"));
  }

  @Test
  void theGpuFlavourRunsOnCuda12WithCudnnAndAJava17() {
    List<Stage> gpu = lineage("gpu");
    String base = DOCKERFILE.baseImage(DOCKERFILE.last(), Map.of(FLAVOUR_ARG, "gpu"));
    // ONNX Runtime 1.23's CUDA execution provider: CUDA 12.x and cuDNN 9.
    assertTrue(base.matches("nvidia/cuda:12\\.[\\d.]+-cudnn(9)?-runtime-[\\w.]+"), "gpu base " + base);
    String javaHome = imageEnv(gpu).get("JAVA_HOME");
    assertNotNull(javaHome, "the gpu image needs JAVA_HOME for bin/maskserve");
    boolean copiesJre = gpu.stream().flatMap(s -> s.all("COPY").stream())
        .anyMatch(c -> c.flags().getOrDefault("from", "").matches("eclipse-temurin:17-jre[\\w.-]*")
            && c.words().get(c.words().size() - 1).equals(javaHome));
    assertTrue(copiesJre, "the gpu image copies no Java 17 runtime to " + javaHome);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void runsAsAFixedNonRootUserTheImageCreates(String flavour) {
    List<Stage> lineage = lineage(flavour);
    int[] user = user(lineage);
    assertTrue(user[0] > 0 && user[1] > 0, "USER must not be root");
    String run = String.join(" ", runs(lineage).stream().map(Instruction::text).toList());
    assertTrue(run.matches(".*useradd [^&]*--uid " + user[0] + "\\b.*"), "no useradd --uid " + user[0]);
    assertTrue(run.matches(".*groupadd [^&]*--gid " + user[1] + "\\b.*"), "no groupadd --gid " + user[1]);
    assertEquals(imageUid(), user[0], "both flavours run as the same UID (one securityContext)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void theEntrypointIsTheLauncherInTheLayoutItExpects(String flavour) {
    List<Stage> lineage = lineage(flavour);
    String workdir = workdir(lineage);
    Instruction entrypoint = Dockerfile.inForce(lineage, "ENTRYPOINT").orElseThrow();
    assertNotNull(entrypoint.exec(), "exec form, so signals reach the launcher (it execs java)");
    assertEquals(List.of(resolve(workdir, "bin/maskserve")), entrypoint.exec());
    // bin/maskserve runs HOME/<target>/<jar> with HOME/<target>/lib/* where HOME is the parent of bin/.
    Launcher launcher = Launcher.project();
    assertTrue(launcher.usesClasspathDirectory("lib"));
    String home = Path.of(entrypoint.exec().get(0)).getParent().getParent().toString();
    String target = home + "/" + launcher.targetDirectory();
    Map<String, String> copied = copiesFromBuild(lineage, workdir);
    assertEquals("bin/maskserve", copied.get(entrypoint.exec().get(0)), "the launcher comes from the sources");
    assertEquals("cli/target/lib/", copied.get(target + "/lib/"), "lib/ is not copied to " + target + "/lib/");
    assertEquals("cli/target/" + launcher.jarPattern(), copied.get(target + "/"), "the jar is not copied to " + target + "/");
  }

  /** COPY --from=build in the lineage: destination (absolute) to source (relative to the build's WORKDIR). */
  private static Map<String, String> copiesFromBuild(List<Stage> lineage, String workdir) {
    String buildDir = workdir(List.of(DOCKERFILE.stage("build")));
    Map<String, String> copies = new LinkedHashMap<>();
    for (Stage s : lineage) {
      for (Instruction c : s.all("COPY")) {
        if (!"build".equals(c.flags().get("from"))) {
          continue;
        }
        List<String> w = c.words();
        assertEquals(2, w.size(), "one source per COPY: " + w);
        String src = w.get(0);
        String prefix = buildDir.endsWith("/") ? buildDir : buildDir + "/";
        assertTrue(src.startsWith(prefix), src + " is outside the build stage's WORKDIR " + buildDir);
        copies.put(resolve(workdir, w.get(1)), src.substring(prefix.length()));
      }
    }
    return copies;
  }

  @Test
  void everyFileCopiedFromTheBuildExistsThere() throws Exception {
    // The build stage copies the whole context (COPY . .): sources are repository files; cli/target
    // is what the cli module's build makes (its jar and its copy-dependencies directory).
    List<Instruction> contextCopies = DOCKERFILE.stage("build").all("COPY");
    assertEquals(List.of(".", "."), contextCopies.get(0).words(), "the build stage copies the whole context");
    Pom cli = Pom.of(ProjectLayout.root().resolve("cli/pom.xml"));
    String jar = cli.artifactId() + "-" + Pom.of(ProjectLayout.root().resolve("pom.xml")).version() + ".jar";
    for (String src : copiesFromBuild(cpuLineage(), workdir(cpuLineage())).values()) {
      if (src.equals("cli/target/lib/")) {
        assertEquals("${project.build.directory}/lib", cli.copyDependenciesOutput("copy-runtime-classpath"));
      } else if (src.startsWith("cli/target/")) {
        var glob = FileSystems.getDefault().getPathMatcher("glob:" + src.substring("cli/target/".length()));
        assertTrue(glob.matches(Path.of(jar)), src + " does not match the jar the cli build makes, " + jar);
      } else {
        Path file = ProjectLayout.root().resolve(src);
        assertTrue(Files.isRegularFile(file), src + " does not exist in the repository");
        assertFalse(DockerignoreTest.ignored(src), src + " is excluded from the build context by .dockerignore");
      }
    }
    assertTrue(Files.isExecutable(ProjectLayout.launcher()), "bin/maskserve is not executable");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void theDefaultCommandIsAValidServeCommandOnTheExposedPort(String flavour) {
    List<Stage> lineage = lineage(flavour);
    List<String> cmd = Dockerfile.cmdInForce(lineage);
    assertFalse(cmd.isEmpty(), "no CMD in force for " + flavour);
    ServerConfig config = ServeArgs.parse(cmd).config(Map.of());
    List<Instruction> exposes = lineage.stream().flatMap(s -> s.all("EXPOSE").stream()).toList();
    assertEquals(1, exposes.size(), "one EXPOSE");
    assertEquals(config.port() + "", exposes.get(0).text().trim().replace("/tcp", ""), "EXPOSE vs the serve port");
    assertEquals(flavour.equals("gpu") ? Device.CUDA : Device.CPU, config.device(), flavour + " device");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void theZooOfTheDefaultCommandIsAVolumeTheUserOwns(String flavour) {
    List<Stage> lineage = lineage(flavour);
    String zoo = ServeArgs.parse(Dockerfile.cmdInForce(lineage)).config(Map.of()).zoo().toString();
    Optional<Instruction> volume = Dockerfile.inForce(lineage, "VOLUME");
    assertTrue(volume.isPresent(), "no VOLUME for the zoo");
    assertTrue(volume.get().words().contains(zoo), "VOLUME " + volume.get().words() + " vs --zoo " + zoo);
    String run = String.join(" ", runs(lineage).stream().map(Instruction::text).toList());
    assertTrue(run.contains("mkdir -p " + zoo), "the zoo directory is not created");
    int[] user = user(lineage);
    assertTrue(run.matches(".*chown -R " + user[0] + ":" + user[1] + " (\\S+ )*" + Pattern.quote(Path.of(zoo).getParent().toString()) + "\\b.*"),
        "the zoo's parent is not chowned to " + user[0] + ":" + user[1]);
  }

  @Test
  void theImagesEnvironmentIsReadByTheLauncherOrTheServer() {
    var read = new java.util.HashSet<>(EnvironmentAndSecretTest.serverVariables());
    read.addAll(Launcher.project().environmentVariables());
    read.addAll(List.of("PATH")); // the JRE's, for the gpu base
    for (String flavour : List.of("cpu", "gpu")) {
      for (String name : imageEnv(lineage(flavour)).keySet()) {
        assertTrue(read.contains(name), name + " is read by neither bin/maskserve nor the server");
      }
    }
    // The image's heap follows the container's memory limit, not the launcher's fixed 2 GiB.
    String opts = imageEnv(cpuLineage()).get("MASKSERVE_JAVA_OPTS");
    assertNotNull(opts);
    long small = Quantities.fromMib(1024);
    long large = Quantities.fromMib(4096);
    assertTrue(JvmOptions.maxHeapBytes(opts, small) < small, "heap of a 1 GiB container: " + opts);
    assertTrue(JvmOptions.maxHeapBytes(opts, large) > JvmOptions.maxHeapBytes(opts, small),
        "the heap does not follow the memory limit: " + opts);
  }
}
