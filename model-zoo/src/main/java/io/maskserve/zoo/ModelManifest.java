package io.maskserve.zoo;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the zoo knows about one model version: a classifier and, once registered, its
 * generator. Stored as {@code manifest.json} in the version directory; immutable.
 *
 * @param name model name (see {@link ModelNames})
 * @param version version string (see {@link ModelNames})
 * @param labels class names in logit order
 * @param input preprocessing and input shape
 * @param classifier the classifier ONNX file
 * @param generator the generator, absent until registered
 * @param created when the classifier version was registered
 * @param description free text, may be empty
 */
public record ModelManifest(
    String name,
    String version,
    List<String> labels,
    InputSpec input,
    Artifact classifier,
    Optional<GeneratorSpec> generator,
    Instant created,
    String description) {

  /** Manifest schema version written into every manifest. */
  public static final int FORMAT_VERSION = 1;

  public ModelManifest {
    ModelNames.requireValidName(name);
    ModelNames.requireValidVersion(version);
    labels = List.copyOf(Objects.requireNonNull(labels, "labels"));
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("labels must not be empty");
    }
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(classifier, "classifier");
    generator = generator == null ? Optional.empty() : generator;
    Objects.requireNonNull(created, "created");
    description = description == null ? "" : description;
  }

  /** This version's key. */
  public ModelKey key() {
    return new ModelKey(name, version);
  }

  /** Number of classes. */
  public int numClasses() {
    return labels.size();
  }

  /** Returns a copy with {@code generator} set (or cleared when empty). */
  public ModelManifest withGenerator(Optional<GeneratorSpec> newGenerator) {
    return new ModelManifest(name, version, labels, input, classifier, newGenerator, created, description);
  }
}
