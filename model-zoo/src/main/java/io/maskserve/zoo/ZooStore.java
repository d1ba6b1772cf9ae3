package io.maskserve.zoo;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A store of model versions. Implementations publish atomically: a crash at any moment leaves a
 * version (and its generator) fully present or absent, never half; readers are never blocked by
 * writers. The embedded default is a directory on local disk ({@link
 * io.maskserve.zoo.fs.FileSystemZooStore}); {@link io.maskserve.zoo.s3.S3ZooStore} keeps a zoo in an
 * S3-compatible object store that several server replicas share. {@link ZooStores#open} opens
 * either from a {@link ZooLocation}.
 *
 * <p>All methods throw {@link ZooException} with a reason the caller can map to a status.
 */
public interface ZooStore {

  /** Every published version, sorted by name then {@link ModelNames#VERSION_ORDER}. */
  List<ModelManifest> list();

  /** The published version, if any. */
  Optional<ModelManifest> get(ModelKey key);

  /**
   * The newest version of {@code name} under {@link ModelNames#VERSION_ORDER}; if {@code
   * withGenerator}, the newest that has a generator.
   */
  Optional<ModelManifest> latest(String name, boolean withGenerator);

  /**
   * A local file holding the artefact of a published version, for ONNX Runtime to load. The
   * caller must verify nothing: the store guarantees the file has the manifest's checksum.
   */
  Path localFile(ModelManifest manifest, Artifact artifact);

  /**
   * The classifier of a published version augmented with its backward pass (see {@link
   * io.maskserve.zoo.autodiff.Autodiff}): the classifier's inputs plus {@code target} (int64
   * {@code [N]}), its outputs plus {@code input_grad} = d logit[target] / d input. Built on first
   * use and cached beside the classifier; registration already checked that it can be built.
   *
   * @throws ZooException NOT_FOUND if the version was deleted, FAILED_PRECONDITION if the
   *     classifier cannot be differentiated
   */
  Path gradientModel(ModelManifest manifest);

  /**
   * Validates and publishes a classifier version from {@code onnx} (read fully, size-limited).
   *
   * @throws ZooException ALREADY_EXISTS if the version exists, INVALID_ARGUMENT if validation fails
   */
  ModelManifest registerClassifier(ClassifierRegistration registration, InputStream onnx);

  /**
   * Validates and attaches a generator to an existing classifier version.
   *
   * @throws ZooException NOT_FOUND if the classifier version does not exist, ALREADY_EXISTS if it
   *     already has a generator, INVALID_ARGUMENT if validation fails
   */
  ModelManifest registerGenerator(GeneratorRegistration registration, InputStream onnx);

  /**
   * Deletes a version, or only its generator.
   *
   * @return true if something was deleted, false if it did not exist
   */
  boolean delete(ModelKey key, boolean generatorOnly);
}
