package io.maskserve.zoo;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Rules for model names and versions. Both become directory names (and object-store keys), so
 * they are restricted to a safe alphabet: no separators, no leading dot, so no path traversal.
 */
public final class ModelNames {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private ModelNames() {}

  /** True if {@code s} is a valid model name or version. */
  public static boolean isValid(String s) {
    return s != null && SAFE.matcher(s).matches();
  }

  /** Returns {@code name} or throws {@link ZooException} (INVALID_ARGUMENT) saying what is allowed. */
  public static String requireValidName(String name) {
    return require("model name", name);
  }

  /** Returns {@code version} or throws {@link ZooException} (INVALID_ARGUMENT) saying what is allowed. */
  public static String requireValidVersion(String version) {
    return require("version", version);
  }

  private static String require(String what, String s) {
    if (!isValid(s)) {
      throw new ZooException(
          ZooException.Reason.INVALID_ARGUMENT,
          what + " '" + (s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s)
              + "' is invalid: use 1-64 characters from [A-Za-z0-9._-], starting with a letter or digit");
    }
    return s;
  }

  /**
   * Orders versions the way people read them: dot/dash separated parts, numeric parts compared
   * as numbers ({@code 2 < 10}, {@code 1.9 < 1.10}), other parts lexicographically. "Latest" is
   * the maximum under this order.
   */
  public static final Comparator<String> VERSION_ORDER = ModelNames::compareVersions;

  private static int compareVersions(String a, String b) {
    String[] pa = a.split("[._-]");
    String[] pb = b.split("[._-]");
    for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
      int c = comparePart(pa[i], pb[i]);
      if (c != 0) {
        return c;
      }
    }
    int c = Integer.compare(pa.length, pb.length);
    return c != 0 ? c : a.compareTo(b);
  }

  private static int comparePart(String a, String b) {
    boolean na = !a.isEmpty() && a.chars().allMatch(Character::isDigit);
    boolean nb = !b.isEmpty() && b.chars().allMatch(Character::isDigit);
    if (na && nb) {
      String ta = a.replaceFirst("^0+(?=.)", "");
      String tb = b.replaceFirst("^0+(?=.)", "");
      return ta.length() != tb.length() ? Integer.compare(ta.length(), tb.length()) : ta.compareTo(tb);
    }
    if (na != nb) {
      return na ? 1 : -1; // 1.0 > 1.rc
    }
    return a.compareTo(b);
  }
}
