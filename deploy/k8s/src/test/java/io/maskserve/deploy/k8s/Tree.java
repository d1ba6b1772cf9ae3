package io.maskserve.deploy.k8s;

import java.util.List;
import java.util.Map;

/**
 * Typed access to a parsed YAML tree by dotted path ({@code "spec.template.spec"}). Missing
 * entries are null for the optional getters and an {@link AssertionError} naming the path for the
 * required ones, so a test failure says which field of which manifest is wrong.
 */
final class Tree {

  private Tree() {}

  /** The value at {@code path} below {@code node}, or null when any step is missing. */
  static Object get(Object node, String path) {
    Object current = node;
    for (String key : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  /** {@code node} itself as a mapping ({@code what} names it in the error). */
  static Map<String, Object> asMap(Object node, String what) {
    return cast(node, Map.class, what);
  }

  static Map<String, Object> map(Object node, String path) {
    return cast(require(node, path), Map.class, path);
  }

  static List<Object> list(Object node, String path) {
    return cast(require(node, path), List.class, path);
  }

  static String string(Object node, String path) {
    return cast(require(node, path), String.class, path);
  }

  static int integer(Object node, String path) {
    return cast(require(node, path), Integer.class, path);
  }

  /** A map or null when absent (a present value of another type is an error). */
  static Map<String, Object> optionalMap(Object node, String path) {
    Object value = get(node, path);
    return value == null ? null : cast(value, Map.class, path);
  }

  /** A list or an empty list when absent. */
  static List<Object> optionalList(Object node, String path) {
    Object value = get(node, path);
    return value == null ? List.of() : cast(value, List.class, path);
  }

  private static Object require(Object node, String path) {
    Object value = get(node, path);
    if (value == null) {
      throw new AssertionError("missing " + path);
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value, Class<?> type, String path) {
    if (!type.isInstance(value)) {
      throw new AssertionError(path + " should be a " + type.getSimpleName() + ", is " + value.getClass().getSimpleName()
          + " (" + value + ")");
    }
    return (T) value;
  }
}
