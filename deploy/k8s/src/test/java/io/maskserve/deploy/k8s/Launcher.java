package io.maskserve.deploy.k8s;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code bin/maskserve} reads, from its text: the environment variables it uses, its default
 * JVM options and the distribution layout it expects.
 */
final class Launcher {

  private final String text;

  private Launcher(String text) {
    this.text = text;
  }

  static Launcher project() {
    return new Launcher(ProjectLayout.read(ProjectLayout.launcher()));
  }

  /** Variables the script expands ({@code $NAME} or {@code ${NAME...}}), upper-case names only. */
  Set<String> environmentVariables() {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)").matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The JVM options used when MASKSERVE_JAVA_OPTS is unset ({@code ${MASKSERVE_JAVA_OPTS:-...}}). */
  String defaultJavaOptions() {
    Matcher m = Pattern.compile("\\$\\{MASKSERVE_JAVA_OPTS:-([^}]*)}").matcher(text);
    if (!m.find()) {
      throw new AssertionError("bin/maskserve no longer reads ${MASKSERVE_JAVA_OPTS:-...}");
    }
    return m.group(1);
  }

  /**
   * The distribution directory relative to the install home (the parent of bin/), from {@code
   * target="$home/..."}.
   */
  String targetDirectory() {
    Matcher m = Pattern.compile("target=\"\\$home/([^\"]+)\"").matcher(text);
    if (!m.find()) {
      throw new AssertionError("bin/maskserve no longer sets target=\"$home/...\"");
    }
    return m.group(1);
  }

  /** The jar name pattern it looks for in the target directory ({@code maskserve-cli-*.jar}). */
  String jarPattern() {
    Matcher m = Pattern.compile("\"\\$target\"/([A-Za-z0-9_.*-]+\\.jar)").matcher(text);
    if (!m.find()) {
      throw new AssertionError("bin/maskserve no longer looks for \"$target\"/<name>.jar");
    }
    return m.group(1);
  }

  /** Whether it puts {@code $target/<dir>/*} on the classpath. */
  boolean usesClasspathDirectory(String dir) {
    return text.contains("$target/" + dir + "/*");
  }
}
