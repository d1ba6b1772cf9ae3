package io.maskserve.server.registry;

import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.zoo.ModelManifest;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model version ready to explain with: its manifest and open classifier and generator sessions.
 * Immutable. Reference counted: the registry holds one reference while the version is published
 * and every call holds one through a {@link ModelRegistry.Lease}; the sessions close when the last
 * reference goes, so a version deleted while in use keeps working for the calls that started on it.
 */
public final class LoadedModel {

  private static final Logger log = LoggerFactory.getLogger(LoadedModel.class);

  private final ModelManifest manifest;
  private final OnnxModel classifier;
  private final OnnxModel generator;
  // Starts at 1: the registry's own reference.
  private final AtomicInteger refs = new AtomicInteger(1);

  LoadedModel(ModelManifest manifest, OnnxModel classifier, OnnxModel generator) {
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.generator = Objects.requireNonNull(generator, "generator");
  }

  /** Creates a model outside a registry (tests, batch jobs); {@link #release()} closes it. */
  public static LoadedModel of(ModelManifest manifest, OnnxModel classifier, OnnxModel generator) {
    if (manifest.generator().isEmpty()) {
      throw new IllegalArgumentException("manifest " + manifest.key() + " has no generator");
    }
    return new LoadedModel(manifest, classifier, generator);
  }

  /** The zoo manifest this model was loaded from. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** The classifier session. */
  public OnnxModel classifier() {
    return classifier;
  }

  /** The generator session. */
  public OnnxModel generator() {
    return generator;
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
        classifier.close();
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
