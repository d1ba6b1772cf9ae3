package io.maskserve.trainer.testing;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskserve.trainer.export.OnnxExporter;
import io.maskserve.trainer.model.ClassifierConfig;
import io.maskserve.trainer.model.ClassifierNet;
import io.maskserve.trainer.model.Djl;

/** Untrained classifiers for tests that need a real ONNX classifier but not a good one. */
public final class TinyClassifiers {

  private TinyClassifiers() {}

  /**
   * A freshly initialised 5-class synthetic-shapes CNN (4 base channels, 4 stages) for square
   * inputs of {@code size} pixels, exported to ONNX.
   */
  public static byte[] untrainedSynth(int size) {
    Djl.engine();
    try (Model m = Model.newInstance("c", "PyTorch")) {
      ClassifierNet net = new ClassifierNet(new ClassifierConfig(5, 4, 4));
      m.setBlock(net);
      net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, size, size));
      return new OnnxExporter().classifier(net, size, size);
    }
  }
}
