package io.maskserve.server.registry;

import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model version ready to explain with: its manifest, open classifier and generator sessions and,
 * for the gradient-based baseline methods, its {@link GradientModels} (opened on first use).
 * Whether the generator is class-conditional comes from the manifest and is checked against the
 * generator session's inputs when the model is created, so a manifest and a file that disagree
 * fail loading rather than every request. Immutable. Reference counted: the registry holds one reference while the version is published
 * and every call holds one through a {@link ModelRegistry.Lease}; the sessions close when the last
 * reference goes, so a version deleted while in use keeps working for the calls that started on it.
 */
public final class LoadedModel {

  private static final Logger log = LoggerFactory.getLogger(LoadedModel.class);

  private final ModelManifest manifest;
  private final OnnxModel classifier;
  /** The session giving the generator's classifier tensors: {@link #classifier} unless they need a backward pass. */
  private final OnnxModel featureClassifier;
  private final OnnxModel generator;
  private final boolean classConditional;
  private final String generatorImageInput;
  private final GradientModels gradients;
  // Starts at 1: the registry's own reference.
  private final AtomicInteger refs = new AtomicInteger(1);

  /**
   * @throws IllegalArgumentException if the manifest has no generator
   * @throws ZooException FAILED_PRECONDITION if the generator session's inputs do not match the
   *     manifest (the sessions are not closed: the caller still owns them then)
   */
  LoadedModel(ModelManifest manifest, OnnxModel classifier, OnnxModel featureClassifier, OnnxModel generator,
      GradientModels gradients) {
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.featureClassifier = Objects.requireNonNull(featureClassifier, "featureClassifier");
    this.generator = Objects.requireNonNull(generator, "generator");
    this.gradients = gradients;
    GeneratorSpec spec = manifest.generator().orElseThrow(
        () -> new IllegalArgumentException("manifest " + manifest.key() + " has no generator"));
    this.classConditional = spec.classConditional();
    checkGeneratorInputs(manifest, generator, classConditional);
    this.generatorImageInput = spec.readsImage()
        ? generator.inputNames().stream()
            .filter(n -> !n.equals(GeneratorSpec.TARGET_INPUT) && !spec.features().contains(n)).findFirst().orElseThrow()
        : null;
    if (!featureClassifier.outputNames().containsAll(spec.features())) {
      throw new ZooException(ZooException.Reason.FAILED_PRECONDITION, "the generator of " + manifest.key()
          + " reads the classifier tensors " + spec.features() + " but the classifier session outputs only "
          + featureClassifier.outputNames() + "; open the classifier with those tensors exposed (FeatureTaps)");
    }
  }

  /**
   * Fails when the manifest and the generator file disagree on the generator's inputs (being
   * class-conditional, the classifier tensors it reads, the image): running would then fail on
   * every request (a missing or unexpected input).
   */
  private static void checkGeneratorInputs(ModelManifest manifest, OnnxModel generator, boolean conditional) {
    GeneratorSpec spec = manifest.generator().orElseThrow();
    int expectedInputs = (conditional ? 1 : 0) + (spec.readsImage() ? 1 : 0) + spec.features().size();
    if (generator.inputNames().contains(GeneratorSpec.TARGET_INPUT) == conditional
        && generator.inputNames().size() == expectedInputs
        && generator.inputNames().containsAll(spec.features())) {
      return;
    }
    String says = (conditional
        ? "class-conditional (inputs: the image and int64 '" + GeneratorSpec.TARGET_INPUT + "' [N])"
        : "unconditional (one input, the image)")
        + (spec.readsFeatures() ? ", reading the classifier tensors " + spec.features()
            + (spec.readsImage() ? " and the image" : " instead of the image") : "");
    throw new ZooException(
        ZooException.Reason.FAILED_PRECONDITION,
        "the generator of " + manifest.key() + " does not match its manifest: the manifest says it is " + says
            + " but " + spec.artifact().file() + " has the inputs "
            + generator.inputNames() + "; delete the generator and register it again");
  }

  /**
   * Classifier tensors the generator reads (empty when it reads only the image): the classifier
   * session exposes them as outputs after the logits.
   */
  public List<String> generatorFeatures() {
    return manifest.generator().orElseThrow().features();
  }

  /** Name of the generator's image input, if it reads the image. */
  public Optional<String> generatorImageInput() {
    return Optional.ofNullable(generatorImageInput);
  }

  /**
   * Creates a model outside a registry (tests, batch jobs); {@link #release()} closes it.
   *
   * @throws IllegalArgumentException if the manifest has no generator
   * @throws ZooException FAILED_PRECONDITION if the generator does not match the manifest (the
   *     sessions stay open, owned by the caller)
   */
  public static LoadedModel of(ModelManifest manifest, OnnxModel classifier, OnnxModel generator) {
    return new LoadedModel(manifest, classifier, classifier, generator, null);
  }

  /**
   * As {@link #of(ModelManifest, OnnxModel, OnnxModel)}, with the gradient models the gradient
   * baselines use (closed with the model).
   */
  public static LoadedModel of(
      ModelManifest manifest, OnnxModel classifier, OnnxModel generator, GradientModels gradients) {
    return new LoadedModel(manifest, classifier, classifier, generator, Objects.requireNonNull(gradients, "gradients"));
  }

  /** The zoo manifest this model was loaded from. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** The classifier session: classification and the scoring of masked images. */
  public OnnxModel classifier() {
    return classifier;
  }

  /**
   * The session that classifies the originals for a generator reading classifier tensors ({@link
   * #generatorFeatures}), which it exposes after the logits. The same session as {@link
   * #classifier} unless one of those tensors needs a backward pass ({@code GradientTap}): ONNX
   * Runtime runs every node of a graph whichever outputs are asked, so masked images are then scored
   * by the plain classifier.
   */
  public OnnxModel featureClassifier() {
    return featureClassifier;
  }

  /** The generator session. */
  public OnnxModel generator() {
    return generator;
  }

  /**
   * The classifier's gradient models (empty for a model created without them, see {@link
   * #of(ModelManifest, OnnxModel, OnnxModel)}).
   */
  public Optional<GradientModels> gradients() {
    return Optional.ofNullable(gradients);
  }

  /**
   * Whether the generator is class-conditional: it is run with each query's target class, so the
   * map depends on the target (otherwise only the scoring does).
   */
  public boolean classConditional() {
    return classConditional;
  }

  /** Default threshold of the deterministic mask, from the generator's manifest entry. */
  public float defaultThreshold() {
    return manifest.generator().orElseThrow().threshold();
  }

  /** Adds a reference unless the model is already closed. */
  boolean tryRetain() {
    for (;;) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one closes the sessions. */
  public void release() {
    int r = refs.decrementAndGet();
    if (r == 0) {
      try {
        if (gradients != null) {
          gradients.close(); // never throws: logs its own failures
        }
        classifier.close();
        if (featureClassifier != classifier) {
          featureClassifier.close();
        }
        generator.close();
        log.debug("closed sessions of {}", manifest.key());
      } catch (Exception e) {
        log.warn("closing sessions of {} failed: {}", manifest.key(), e.toString());
      }
    } else if (r < 0) {
      throw new IllegalStateException("released more often than retained: " + manifest.key());
    }
  }

  /** Whether the sessions have been closed (for tests). */
  public boolean isClosed() {
    return refs.get() == 0;
  }
}
