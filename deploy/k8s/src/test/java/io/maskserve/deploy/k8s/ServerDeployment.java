package io.maskserve.deploy.k8s;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The maskserve Deployment of the manifests and its one server container, with typed look-ups. */
final class ServerDeployment {

  /** The container that runs the server. */
  static final String CONTAINER = "maskserve";

  private final K8sObject deployment;
  private final Map<String, Object> container;

  private ServerDeployment(K8sObject deployment, Map<String, Object> container) {
    this.deployment = deployment;
    this.container = container;
  }

  static ServerDeployment of(Manifests manifests) {
    K8sObject d = manifests.one("Deployment");
    Map<String, Object> found = null;
    for (Object c : Tree.list(d.tree(), "spec.template.spec.containers")) {
      if (CONTAINER.equals(Tree.string(c, "name"))) {
        found = Tree.asMap(c, "container");
      }
    }
    if (found == null) {
      throw new AssertionError(d + " has no container named " + CONTAINER);
    }
    return new ServerDeployment(d, found);
  }

  K8sObject object() {
    return deployment;
  }

  Map<String, Object> podSpec() {
    return Tree.map(deployment.tree(), "spec.template.spec");
  }

  Map<String, Object> podLabels() {
    return Tree.map(deployment.tree(), "spec.template.metadata.labels");
  }

  Map<String, Object> container() {
    return container;
  }

  /** The container's args, each required to be a YAML string (the API rejects numbers there). */
  List<String> args() {
    List<String> args = new ArrayList<>();
    for (Object a : Tree.list(container, "args")) {
      if (!(a instanceof String s)) {
        throw new AssertionError("container arg " + a + " is a " + a.getClass().getSimpleName()
            + ", not a string: quote it (args is []string)");
      }
      args.add(s);
    }
    return args;
  }

  /** Container port numbers by port name. */
  Map<String, Integer> namedPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Object p : Tree.optionalList(container, "ports")) {
      Object name = Tree.get(p, "name");
      ports.put(name == null ? "" : (String) name, Tree.integer(p, "containerPort"));
    }
    return ports;
  }

  /** The env entries, by name. */
  Map<String, Map<String, Object>> env() {
    Map<String, Map<String, Object>> env = new LinkedHashMap<>();
    for (Object e : Tree.optionalList(container, "env")) {
      env.put(Tree.string(e, "name"), Tree.asMap(e, "env entry"));
    }
    return env;
  }

  /** Plain {@code value:} env entries (each must be a string in the manifest). */
  Map<String, String> literalEnv() {
    Map<String, String> out = new HashMap<>();
    env().forEach((name, e) -> {
      if (e.containsKey("value")) {
        out.put(name, Tree.string(e, "value"));
      }
    });
    return out;
  }

  /** The probe of that kind ({@code livenessProbe}, ...), or null. */
  Map<String, Object> probe(String kind) {
    return Tree.optionalMap(container, kind);
  }

  /** The volume mounts: mount path to volume name. */
  Map<String, String> mounts() {
    Map<String, String> mounts = new LinkedHashMap<>();
    for (Object m : Tree.optionalList(container, "volumeMounts")) {
      mounts.put(Tree.string(m, "mountPath"), Tree.string(m, "name"));
    }
    return mounts;
  }

  /** Mount entries by mount path (for readOnly). */
  Map<String, Map<String, Object>> mountEntries() {
    Map<String, Map<String, Object>> mounts = new LinkedHashMap<>();
    for (Object m : Tree.optionalList(container, "volumeMounts")) {
      mounts.put(Tree.string(m, "mountPath"), Tree.asMap(m, "volume mount"));
    }
    return mounts;
  }

  /** The pod's volumes by name. */
  Map<String, Map<String, Object>> volumes() {
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (Object v : Tree.optionalList(podSpec(), "volumes")) {
      volumes.put(Tree.string(v, "name"), Tree.asMap(v, "volume"));
    }
    return volumes;
  }
}
