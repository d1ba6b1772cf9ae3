package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The root .dockerignore keeps build outputs and VCS data out of the image's build context and
 * keeps in everything the build stage's Maven reactor reads.
 */
class DockerignoreTest {

  /** One rule: a glob, or an exception to earlier rules ({@code !glob}). */
  private record Rule(PathMatcher matcher, boolean exception, String text) {}

  private static final List<Rule> RULES = rules();

  private static List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    for (String line : ProjectLayout.read(ProjectLayout.dockerignore()).split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      boolean exception = t.startsWith("!");
      String glob = (exception ? t.substring(1) : t).replaceAll("^/+", "").replaceAll("/+$", "");
      // Docker's "**" also matches no directory at all ("**/target" excludes ./target too).
      String javaGlob = glob.startsWith("**/") ? "{" + glob.substring(3) + "," + glob + "}" : glob;
      rules.add(new Rule(FileSystems.getDefault().getPathMatcher("glob:" + javaGlob), exception, t));
    }
    return rules;
  }

  /**
   * Whether Docker leaves {@code relative} (a path from the context root) out of the context: the
   * last rule matching the path or one of its parent directories decides, as in Docker's matcher.
   */
  static boolean ignored(String relative) {
    boolean ignored = false;
    Path path = Path.of(relative);
    for (Rule rule : RULES) {
      for (int n = 1; n <= path.getNameCount(); n++) {
        if (rule.matcher().matches(path.subpath(0, n))) {
          ignored = !rule.exception();
          break;
        }
      }
    }
    return ignored;
  }

  /** Every module directory of the reactor, recursively (root first). */
  private static List<Path> modules(Path dir) {
    List<Path> out = new ArrayList<>();
    out.add(dir);
    for (String m : Pom.of(dir.resolve("pom.xml")).modules()) {
      out.addAll(modules(dir.resolve(m)));
    }
    return out;
  }

  @Test
  void everyPomAndSourceOfTheReactorIsInTheContext() throws IOException {
    Path root = ProjectLayout.root();
    for (Path module : modules(root)) {
      String rel = root.relativize(module.resolve("pom.xml")).toString();
      assertFalse(ignored(rel), rel + " is excluded: Maven reads every module's pom, even with -pl");
      Path src = module.resolve("src/main");
      if (!Files.isDirectory(src)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String r = root.relativize(f).toString();
          assertFalse(ignored(r), r + " is excluded from the build context");
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    assertFalse(ignored("bin/maskserve"));
  }

  @Test
  void buildOutputsAndVcsDataStayOut() {
    for (String p : List.of("target/x", "cli/target/maskserve-cli-0.1.0-SNAPSHOT.jar", "cli/target/lib/a.jar",
        "server/target/classes/A.class", "deploy/k8s/target/x", ".git/HEAD", "examples/node/node_modules/x/index.js")) {
      assertTrue(ignored(p), p + " should be excluded");
    }
  }

  @Test
  void theMatcherFollowsDockersRules() {
    // The checks above rely on it: a parent-directory match excludes the whole tree.
    assertTrue(ignored(".git"));
    assertTrue(ignored(".git/objects/ab/cdef"));
    assertFalse(ignored("server/src/main/java/io/maskserve/server/MaskserveServer.java"));
  }
}
