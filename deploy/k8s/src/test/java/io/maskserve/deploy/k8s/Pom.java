package io.maskserve.deploy.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** A pom.xml read with the JDK's DOM parser: the few elements the deploy checks need. */
final class Pom {

  private final Element project;

  private Pom(Element project) {
    this.project = project;
  }

  static Pom of(Path file) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(false);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document doc = f.newDocumentBuilder().parse(file.toFile());
      return new Pom(doc.getDocumentElement());
    } catch (Exception e) {
      throw new AssertionError("cannot parse " + file + ": " + e, e);
    }
  }

  String artifactId() {
    return text(project, "artifactId");
  }

  /** The project's version, or its parent's when it inherits it. */
  String version() {
    String v = text(project, "version");
    return v != null ? v : text(child(project, "parent"), "version");
  }

  String property(String name) {
    return text(child(project, "properties"), name);
  }

  /** The {@code <module>} entries. */
  List<String> modules() {
    List<String> out = new ArrayList<>();
    for (Element m : children(child(project, "modules"), "module")) {
      out.add(m.getTextContent().trim());
    }
    return out;
  }

  Element root() {
    return project;
  }

  /** The outputDirectory of the maven-dependency-plugin execution {@code id} of the main build. */
  String copyDependenciesOutput(String id) {
    Element execution = execution(child(project, "build"), "maven-dependency-plugin", id);
    if (execution == null) {
      throw new AssertionError("no maven-dependency-plugin execution " + id);
    }
    return text(child(execution, "configuration"), "outputDirectory");
  }

  /** The profile {@code id}, or null. */
  Element profile(String id) {
    for (Element p : children(child(project, "profiles"), "profile")) {
      if (id.equals(text(p, "id"))) {
        return p;
      }
    }
    return null;
  }

  /** The execution {@code id} of plugin {@code artifactId} under a build element, or null. */
  static Element execution(Element build, String artifactId, String id) {
    for (Element plugin : children(child(build, "plugins"), "plugin")) {
      if (!artifactId.equals(text(plugin, "artifactId"))) {
        continue;
      }
      for (Element e : children(child(plugin, "executions"), "execution")) {
        if (id.equals(text(e, "id"))) {
          return e;
        }
      }
    }
    return null;
  }

  /** The first child element of that name, or null (also for a null parent). */
  static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The trimmed text of the child element, or null. */
  static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }
}
