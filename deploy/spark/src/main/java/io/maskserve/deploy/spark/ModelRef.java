package io.maskserve.deploy.spark;

import io.maskserve.server.runtime.Device;
import java.io.Serializable;
import java.util.Objects;

/**
 * Which zoo model the executors load, and how: the key of {@link ExecutorModels}. Serializable,
 * since it travels to the executors inside the task closure.
 *
 * @param zoo the zoo directory, at the same path on every executor (a shared file system, or the
 *     same directory laid out on each node)
 * @param model the model name
 * @param version the version; empty for the newest version with a generator (as the server does)
 * @param device where ONNX Runtime runs
 * @param intraOpThreads ONNX Runtime threads inside one operator per session call; 1 by default,
 *     because Spark already runs one task per core and each task calls the shared sessions
 */
public record ModelRef(String zoo, String model, String version, Device device, int intraOpThreads)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public ModelRef {
    Objects.requireNonNull(zoo, "zoo");
    Objects.requireNonNull(model, "model");
    version = version == null ? "" : version;
    Objects.requireNonNull(device, "device");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
  }

  /**
   * Parses {@code NAME} or {@code NAME:VERSION}.
   *
   * @throws IllegalArgumentException for an empty name
   */
  public static ModelRef parse(String zoo, String nameAndVersion, Device device, int intraOpThreads) {
    int colon = nameAndVersion.indexOf(':');
    String name = colon < 0 ? nameAndVersion : nameAndVersion.substring(0, colon);
    String version = colon < 0 ? "" : nameAndVersion.substring(colon + 1);
    if (name.isBlank()) {
      throw new IllegalArgumentException("--model must be NAME or NAME:VERSION, got '" + nameAndVersion + "'");
    }
    return new ModelRef(zoo, name, version, device, intraOpThreads);
  }

  @Override
  public String toString() {
    return model + (version.isEmpty() ? "" : ":" + version) + " in " + zoo;
  }
}
