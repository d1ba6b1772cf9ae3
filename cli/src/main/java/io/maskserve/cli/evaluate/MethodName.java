package io.maskserve.cli.evaluate;

import io.maskserve.v1.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The explanation methods as the command line names them, with their wire value. */
public enum MethodName {
  GENERATOR("generator", Method.METHOD_GENERATOR),
  GRADIENT("gradient", Method.METHOD_GRADIENT),
  SMOOTHGRAD("smoothgrad", Method.METHOD_SMOOTHGRAD),
  INTEGRATED_GRADIENTS("integrated-gradients", Method.METHOD_INTEGRATED_GRADIENTS),
  GRAD_CAM("grad-cam", Method.METHOD_GRAD_CAM),
  RISE("rise", Method.METHOD_RISE),
  OCCLUSION("occlusion", Method.METHOD_OCCLUSION),
  CENTRE("centre", Method.METHOD_CENTRE),
  RANDOM("random", Method.METHOD_RANDOM);

  private final String cliName;
  private final Method method;

  MethodName(String cliName, Method method) {
    this.cliName = cliName;
    this.method = method;
  }

  /** The name on the command line and in the report. */
  public String cliName() {
    return cliName;
  }

  /** The request's {@code method}. */
  public Method method() {
    return method;
  }

  /** Every method's name, comma-separated, in declaration order. */
  public static String allNames() {
    List<String> names = new ArrayList<>();
    for (MethodName m : values()) {
      names.add(m.cliName);
    }
    return String.join(",", names);
  }

  /**
   * Parses one name (case-insensitive, {@code _} accepted for {@code -}).
   *
   * @throws IllegalArgumentException on an unknown name or a list
   */
  public static MethodName parse(String name) {
    List<MethodName> one = parseList(name);
    if (one.size() != 1) {
      throw new IllegalArgumentException("one method expected, got '" + name + "' (use one of " + allNames() + ")");
    }
    return one.get(0);
  }

  /**
   * Parses a comma-separated list of names (case-insensitive, {@code _} accepted for {@code -}),
   * keeping the given order and dropping repeats.
   *
   * @throws IllegalArgumentException on an unknown or empty name
   */
  public static List<MethodName> parseList(String csv) {
    List<MethodName> out = new ArrayList<>();
    for (String part : csv.split(",", -1)) {
      String name = part.strip().toLowerCase(Locale.ROOT).replace('_', '-');
      MethodName found = null;
      for (MethodName m : values()) {
        if (m.cliName.equals(name)) {
          found = m;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException("unknown method '" + part.strip() + "' (use " + allNames() + ")");
      }
      if (!out.contains(found)) {
        out.add(found);
      }
    }
    return out;
  }
}
