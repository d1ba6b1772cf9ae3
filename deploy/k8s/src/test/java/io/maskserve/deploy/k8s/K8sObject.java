package io.maskserve.deploy.k8s;

import java.nio.file.Path;
import java.util.Map;

/**
 * One Kubernetes object of a manifest file.
 *
 * @param file the file it came from (for messages)
 * @param tree the parsed document
 */
record K8sObject(Path file, Map<String, Object> tree) {

  String apiVersion() {
    return Tree.string(tree, "apiVersion");
  }

  String kind() {
    return Tree.string(tree, "kind");
  }

  String name() {
    return Tree.string(tree, "metadata.name");
  }

  Map<String, Object> spec() {
    return Tree.map(tree, "spec");
  }

  @Override
  public String toString() {
    return kind() + "/" + name() + " (" + file.getFileName() + ")";
  }
}
