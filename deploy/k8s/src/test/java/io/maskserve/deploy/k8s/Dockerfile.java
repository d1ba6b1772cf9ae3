package io.maskserve.deploy.k8s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile parsed the way the builder reads it, enough to check it without a Docker daemon:
 * comments and parser directives dropped, backslash continuations joined, each instruction split
 * into its keyword, its {@code --flags} and its arguments (exec form {@code ["a", "b"]} or shell
 * form), and grouped into stages at each {@code FROM}.
 */
final class Dockerfile {

  /**
   * One instruction.
   *
   * @param keyword upper-cased ({@code FROM}, {@code RUN}, ...)
   * @param flags leading {@code --name=value} flags ({@code --from=build}, {@code --chmod=0755})
   * @param text the rest of the line after the flags
   * @param exec the exec-form arguments, or null for the shell form
   * @param line the 1-based line it starts on
   */
  record Instruction(String keyword, Map<String, String> flags, String text, List<String> exec, int line) {

    /** Whitespace-separated words of the shell form (no quote handling beyond the JSON form). */
    List<String> words() {
      return exec != null ? exec : List.of(text.trim().split("\\s+"));
    }
  }

  /**
   * One build stage.
   *
   * @param base the image or stage after {@code FROM}, variables not expanded
   * @param name the {@code AS} name, or null
   * @param instructions the instructions after {@code FROM}
   */
  record Stage(String base, String name, List<Instruction> instructions) {

    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The last instruction of this kind in the stage (the one in force), if any. */
    Optional<Instruction> last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }
  }

  private static final Pattern FROM = Pattern.compile("(?i)(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*");
  private static final Pattern FLAG = Pattern.compile("--([a-z-]+)(?:=(\\S*))?");
  private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final Map<String, String> globalArgs;
  private final List<Stage> stages;

  private Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {
    this.globalArgs = globalArgs;
    this.stages = stages;
  }

  static Dockerfile parse(String content) {
    Map<String, String> globalArgs = new LinkedHashMap<>();
    List<Stage> stages = new ArrayList<>();
    List<Instruction> current = null;
    for (Instruction i : instructions(content)) {
      if (i.keyword().equals("FROM")) {
        Matcher m = FROM.matcher(i.text());
        if (!m.matches()) {
          throw new AssertionError("line " + i.line() + ": unreadable FROM " + i.text());
        }
        current = new ArrayList<>();
        stages.add(new Stage(m.group(1), m.group(2), current));
      } else if (current == null) {
        if (!i.keyword().equals("ARG")) {
          throw new AssertionError("line " + i.line() + ": only ARG may come before the first FROM, found " + i.keyword());
        }
        String[] kv = i.text().trim().split("=", 2);
        globalArgs.put(kv[0], kv.length == 2 ? kv[1] : null);
      } else {
        current.add(i);
      }
    }
    return new Dockerfile(Map.copyOf(globalArgs), List.copyOf(stages));
  }

  /** ARGs declared before the first FROM (usable in FROM lines), with their defaults. */
  Map<String, String> globalArgs() {
    return globalArgs;
  }

  List<Stage> stages() {
    return stages;
  }

  Stage last() {
    return stages.get(stages.size() - 1);
  }

  Stage stage(String name) {
    return stages.stream()
        .filter(s -> name.equals(s.name()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no stage named " + name));
  }

  Optional<Stage> findStage(String name) {
    return stages.stream().filter(s -> name.equals(s.name())).findFirst();
  }

  /**
   * The chain of stages an image inherits from, starting at {@code stage} and following {@code
   * FROM <stage>} with the global ARGs set to {@code args}: its configuration (USER, ENTRYPOINT,
   * CMD, ENV, EXPOSE, WORKDIR) is the last one set along the chain.
   */
  List<Stage> lineage(Stage stage, Map<String, String> args) {
    List<Stage> chain = new ArrayList<>();
    Stage s = stage;
    while (s != null) {
      chain.add(0, s);
      String base = expand(s.base(), args);
      s = findStage(base).orElse(null);
    }
    return chain;
  }

  /** The base image (not a stage) a stage starts from, with the global ARGs set to {@code args}. */
  String baseImage(Stage stage, Map<String, String> args) {
    return expand(lineage(stage, args).get(0).base(), args);
  }

  /** The instruction of {@code keyword} in force at the end of {@code lineage}, if any. */
  static Optional<Instruction> inForce(List<Stage> lineage, String keyword) {
    Optional<Instruction> found = Optional.empty();
    for (Stage s : lineage) {
      Optional<Instruction> last = s.last(keyword);
      if (last.isPresent()) {
        found = last;
      }
    }
    return found;
  }

  /**
   * The CMD in force at the end of {@code lineage}: the last one set, except that a stage setting
   * ENTRYPOINT without CMD resets an inherited CMD (the builder's rule), giving empty.
   */
  static List<String> cmdInForce(List<Stage> lineage) {
    List<String> cmd = List.of();
    for (Stage s : lineage) {
      Optional<Instruction> c = s.last("CMD");
      if (c.isPresent()) {
        cmd = c.get().words();
      } else if (s.last("ENTRYPOINT").isPresent()) {
        cmd = List.of();
      }
    }
    return cmd;
  }

  /** Replaces {@code ${NAME}} and {@code $NAME} by the values in {@code args}, else the global defaults. */
  String expand(String text, Map<String, String> args) {
    Matcher m = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)").matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = args.containsKey(name) ? args.get(name) : globalArgs.get(name);
      if (value == null) {
        throw new AssertionError("undefined build argument " + name + " in " + text);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static List<Instruction> instructions(String content) {
    List<Instruction> out = new ArrayList<>();
    String[] lines = content.split("\n", -1);
    StringBuilder logical = null;
    int start = 0;
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].stripTrailing();
      String trimmed = line.strip();
      // Comments (and parser directives, which are comments too) are dropped, also inside a
      // continued instruction, as the builder does.
      if (trimmed.startsWith("#") || (logical == null && trimmed.isEmpty())) {
        continue;
      }
      if (logical == null) {
        logical = new StringBuilder();
        start = n + 1;
      }
      if (line.endsWith("\\")) {
        logical.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      logical.append(line);
      out.add(instruction(logical.toString().strip(), start));
      logical = null;
    }
    if (logical != null) {
      throw new AssertionError("line " + start + ": the last instruction ends with a continuation");
    }
    return out;
  }

  private static Instruction instruction(String logical, int line) {
    String[] parts = logical.split("\\s+", 2);
    String keyword = parts[0].toUpperCase(java.util.Locale.ROOT);
    String rest = parts.length > 1 ? parts[1] : "";
    Map<String, String> flags = new LinkedHashMap<>();
    while (rest.startsWith("--")) {
      String[] fr = rest.split("\\s+", 2);
      Matcher m = FLAG.matcher(fr[0]);
      if (!m.matches()) {
        break;
      }
      flags.put(m.group(1), m.group(2) == null ? "" : m.group(2));
      rest = fr.length > 1 ? fr[1] : "";
    }
    List<String> exec = null;
    String t = rest.strip();
    if (t.startsWith("[") && t.endsWith("]") && !keyword.equals("RUN") || (keyword.equals("RUN") && t.startsWith("[\""))) {
      exec = new ArrayList<>();
      Matcher m = JSON_STRING.matcher(t.substring(1, t.length() - 1));
      while (m.find()) {
        exec.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      exec = List.copyOf(exec);
    }
    return new Instruction(keyword, Map.copyOf(flags), rest, exec, line);
  }
}
