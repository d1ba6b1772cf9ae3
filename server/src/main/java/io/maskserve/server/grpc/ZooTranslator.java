package io.maskserve.server.grpc;

import io.maskserve.v1.ArtifactInfo;
import io.maskserve.v1.ClassifierMetadata;
import io.maskserve.v1.GeneratorInfo;
import io.maskserve.v1.GeneratorMetadata;
import io.maskserve.v1.ModelInfo;
import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ResizeMode;
import java.util.List;

/** Translates between the zoo protos and the zoo's records. Stateless. */
public final class ZooTranslator {

  /**
   * The registration a classifier's metadata describes.
   *
   * @throws IllegalArgumentException or ZooException (both INVALID_ARGUMENT) when it is invalid
   */
  public ClassifierRegistration toRegistration(ClassifierMetadata m) {
    if (m.getMeanCount() != 3 || m.getStdCount() != 3) {
      throw new IllegalArgumentException(
          "mean and std must have 3 values (R,G,B), got " + m.getMeanCount() + " and " + m.getStdCount());
    }
    if (m.getLabelsCount() == 0) {
      throw new IllegalArgumentException("labels must not be empty");
    }
    InputSpec input = new InputSpec(
        m.getInputHeight(), m.getInputWidth(), resizeMode(m.getResizeMode()), floats(m.getMeanList()),
        floats(m.getStdList()));
    return new ClassifierRegistration(
        m.getName(), m.getVersion(), m.getLabelsList(), input, m.getSha256(), m.getDescription());
  }

  /** The registration a generator's metadata describes. */
  public GeneratorRegistration toRegistration(GeneratorMetadata m) {
    return new GeneratorRegistration(
        new ModelKey(m.getClassifier(), m.getVersion()),
        m.hasThreshold() ? m.getThreshold() : null,
        m.getSha256(),
        m.getDescription());
  }

  /** The ModelInfo of a manifest. */
  public ModelInfo toInfo(ModelManifest m) {
    InputSpec in = m.input();
    ModelInfo.Builder b = ModelInfo.newBuilder()
        .setName(m.name())
        .setVersion(m.version())
        .addAllLabels(m.labels())
        .setInputHeight(in.height())
        .setInputWidth(in.width())
        .setResizeMode(resizeMode(in.resizeMode()))
        .setClassifier(artifact(m.classifier()))
        .setCreated(m.created().toString())
        .setDescription(m.description());
    for (int c = 0; c < 3; c++) {
      b.addMean(in.mean(c));
      b.addStd(in.std(c));
    }
    if (m.generator().isPresent()) {
      GeneratorSpec g = m.generator().get();
      b.setGenerator(GeneratorInfo.newBuilder()
          .setArtifact(artifact(g.artifact()))
          .setThreshold(g.threshold())
          .setOutputHeight(g.outputHeight())
          .setOutputWidth(g.outputWidth())
          .setClassConditional(g.classConditional())
          .addAllFeatures(g.features())
          .setReadsImage(g.readsImage())
          .setCreated(g.created().toString())
          .setDescription(g.description()));
    }
    return b.build();
  }

  private static ArtifactInfo artifact(Artifact a) {
    return ArtifactInfo.newBuilder().setSha256(a.sha256()).setSizeBytes(a.sizeBytes()).build();
  }

  private static ResizeMode resizeMode(io.maskserve.v1.ResizeMode m) {
    return switch (m) {
      case RESIZE_SHORTER_CENTER_CROP -> ResizeMode.RESIZE_SHORTER_CENTER_CROP;
      case RESIZE, RESIZE_MODE_UNSPECIFIED -> ResizeMode.RESIZE;
      case UNRECOGNIZED -> throw new IllegalArgumentException("unknown resize_mode");
    };
  }

  private static io.maskserve.v1.ResizeMode resizeMode(ResizeMode m) {
    return switch (m) {
      case RESIZE -> io.maskserve.v1.ResizeMode.RESIZE;
      case RESIZE_SHORTER_CENTER_CROP -> io.maskserve.v1.ResizeMode.RESIZE_SHORTER_CENTER_CROP;
    };
  }

  private static float[] floats(List<Float> values) {
    float[] f = new float[values.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = values.get(i);
    }
    return f;
  }
}
