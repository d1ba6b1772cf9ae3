package io.maskserve.deploy.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Every object of every {@code *.yaml} / {@code *.yml} file in a manifest directory, in file order,
 * with look-ups by kind (and name).
 */
final class Manifests {

  private final List<Path> files;
  private final List<K8sObject> objects;

  private Manifests(List<Path> files, List<K8sObject> objects) {
    this.files = files;
    this.objects = objects;
  }

  /** Parses every manifest in {@code dir}; a document that is not a mapping is an error. */
  static Manifests load(Path dir) {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<K8sObject> objects = new ArrayList<>();
    for (Path file : files) {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (Object doc : yaml.loadAll(r)) {
          if (doc == null) {
            continue; // an empty document between two "---"
          }
          if (!(doc instanceof Map<?, ?>)) {
            throw new AssertionError(file + ": a document is not a mapping: " + doc);
          }
          @SuppressWarnings("unchecked")
          Map<String, Object> tree = (Map<String, Object>) doc;
          objects.add(new K8sObject(file, tree));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Manifests(List.copyOf(files), List.copyOf(objects));
  }

  /** The standard set, loaded once per test class that asks. */
  static Manifests project() {
    return load(ProjectLayout.manifests());
  }

  List<Path> files() {
    return files;
  }

  List<K8sObject> all() {
    return objects;
  }

  List<K8sObject> ofKind(String kind) {
    return objects.stream().filter(o -> o.kind().equals(kind)).toList();
  }

  /** The only object of {@code kind}; an error when there are none or several. */
  K8sObject one(String kind) {
    List<K8sObject> found = ofKind(kind);
    if (found.size() != 1) {
      throw new AssertionError("expected exactly one " + kind + ", found " + found);
    }
    return found.get(0);
  }

  K8sObject named(String kind, String name) {
    return ofKind(kind).stream()
        .filter(o -> o.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in " + objects));
  }
}
