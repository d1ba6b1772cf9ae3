package io.maskserve.cli.evaluate;

import io.maskserve.client.MaskserveClient;
import io.maskserve.client.MaskserveException;
import io.maskserve.v1.ModelInfo;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelNames;
import io.maskserve.zoo.ResizeMode;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Picks the model version an evaluation explains and reads its preprocessing. */
final class ServedModel {

  private ServedModel() {}

  /**
   * The version to evaluate: {@code version} when given; otherwise the newest version with a
   * generator (what the server serves for an empty version), or, when no version has one and the
   * generator is not among the methods, the newest version.
   *
   * @throws EvaluateException if there is no such version or it lacks a needed generator
   */
  static ModelInfo resolve(MaskserveClient client, String name, String version, boolean needGenerator) {
    List<ModelInfo> versions = client.listModels(name).stream().filter(m -> m.getName().equals(name)).toList();
    if (versions.isEmpty()) {
      List<String> names = client.listModels().stream().map(ModelInfo::getName).distinct().toList();
      throw new EvaluateException("model " + name + " is not in the zoo (models: "
          + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }
    ModelInfo chosen;
    if (version != null) {
      try {
        chosen = client.getModel(name, version);
      } catch (MaskserveException e) {
        throw new EvaluateException("model " + name + ":" + version + ": " + e.getMessage(), e);
      }
    } else {
      Comparator<ModelInfo> byVersion = Comparator.comparing(ModelInfo::getVersion, ModelNames.VERSION_ORDER);
      Optional<ModelInfo> withGenerator = versions.stream().filter(ModelInfo::hasGenerator).max(byVersion);
      chosen = withGenerator.orElseGet(() -> versions.stream().max(byVersion).orElseThrow());
    }
    if (needGenerator && !chosen.hasGenerator()) {
      throw new EvaluateException("model " + name + ":" + chosen.getVersion()
          + " has no generator: leave 'generator' out of --methods or register one");
    }
    return chosen;
  }

  /** The classifier input of {@code m} as the zoo describes it. */
  static InputSpec inputSpec(ModelInfo m) {
    float[] mean = new float[3];
    float[] std = new float[3];
    for (int c = 0; c < 3; c++) {
      mean[c] = m.getMean(c);
      std[c] = m.getStd(c);
    }
    ResizeMode mode = m.getResizeMode() == io.maskserve.v1.ResizeMode.RESIZE_SHORTER_CENTER_CROP
        ? ResizeMode.RESIZE_SHORTER_CENTER_CROP
        : ResizeMode.RESIZE;
    return new InputSpec(m.getInputHeight(), m.getInputWidth(), mode, mean, std);
  }
}
