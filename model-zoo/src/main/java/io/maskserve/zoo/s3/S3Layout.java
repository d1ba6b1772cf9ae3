package io.maskserve.zoo.s3;

import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelNames;
import java.util.Optional;

/**
 * Object keys of an {@link S3ZooStore} under its prefix:
 *
 * <pre>
 * PREFIX&lt;name&gt;/&lt;version&gt;/manifest.json               publish point, written last
 * PREFIX&lt;name&gt;/&lt;version&gt;/&lt;sha256&gt;/classifier.onnx    immutable, written before the manifest
 * PREFIX&lt;name&gt;/&lt;version&gt;/&lt;sha256&gt;/generator.onnx     immutable, written before the manifest names it
 * </pre>
 *
 * Artefact keys are derived from the manifest alone (name, version, sha256, file), so the manifest
 * format is the one the file-system store writes, and an artefact key never names two contents.
 */
final class S3Layout {

  /** The manifest object's last key segment. */
  static final String MANIFEST = "manifest.json";

  private final String prefix;

  /**
   * @param prefix "" or a key prefix; a trailing '/' is added when missing
   */
  S3Layout(String prefix) {
    String p = prefix == null ? "" : prefix;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
  }

  /** The normalised prefix: "" or ending in '/'. */
  String prefix() {
    return prefix;
  }

  /** Prefix of every object of one model name. */
  String namePrefix(String name) {
    return prefix + name + "/";
  }

  /** Prefix of every object of one version. */
  String versionPrefix(ModelKey key) {
    return namePrefix(key.name()) + key.version() + "/";
  }

  /** The manifest object of a version. */
  String manifestKey(ModelKey key) {
    return versionPrefix(key) + MANIFEST;
  }

  /** The object holding an artefact's bytes. */
  String artifactKey(ModelKey key, Artifact artifact) {
    return versionPrefix(key) + artifact.sha256() + "/" + artifact.file();
  }

  /** The version whose manifest {@code objectKey} is, if it is a manifest key of this layout. */
  Optional<ModelKey> manifestOf(String objectKey) {
    if (!objectKey.startsWith(prefix) || !objectKey.endsWith("/" + MANIFEST)) {
      return Optional.empty();
    }
    String[] parts = objectKey.substring(prefix.length()).split("/", -1);
    if (parts.length != 3 || !ModelNames.isValid(parts[0]) || !ModelNames.isValid(parts[1])) {
      return Optional.empty();
    }
    return Optional.of(new ModelKey(parts[0], parts[1]));
  }
}
