package io.maskserve.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the files under test are: the project root (surefire passes {@code maskserve.root}; run
 * from an IDE, the root is found by walking up to the directory holding {@code bin/maskserve}).
 */
final class ProjectLayout {

  private static final Path ROOT = findRoot();

  private ProjectLayout() {}

  static Path root() {
    return ROOT;
  }

  static Path manifests() {
    return ROOT.resolve("deploy/k8s/manifests");
  }

  static Path dockerfile() {
    return ROOT.resolve("deploy/docker/Dockerfile");
  }

  static Path dockerignore() {
    return ROOT.resolve(".dockerignore");
  }

  /** The launcher the image runs ({@code bin/maskserve}). */
  static Path launcher() {
    return ROOT.resolve("bin/maskserve");
  }

  static Path deployReadme() {
    return ROOT.resolve("deploy/README.md");
  }

  static Path serveCommandSource() {
    return ROOT.resolve("server/src/main/java/io/maskserve/server/cli/ServeCommand.java");
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Path findRoot() {
    String configured = System.getProperty("maskserve.root");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bin/maskserve")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no project root (bin/maskserve and pom.xml) at or above " + start);
  }
}
