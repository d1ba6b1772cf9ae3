package io.maskserve.trainer.cli;

import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.fs.FileSystemZooStore;
import java.nio.file.Path;

/** Finding the classifier a trainer command works on. */
final class ZooModels {

  private ZooModels() {}

  /**
   * Version {@code version} of classifier {@code model}, or its newest version when {@code
   * version} is null; a clear error when there is none.
   */
  static ModelManifest classifier(FileSystemZooStore store, Path zoo, String model, String version) {
    return (version == null ? store.latest(model, false) : store.get(new ModelKey(model, version)))
        .orElseThrow(() -> new IllegalArgumentException("no classifier " + model
            + (version == null ? "" : ":" + version) + " in " + zoo));
  }
}
