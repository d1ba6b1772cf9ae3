package io.maskserve.trainer.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.export.OnnxExporter;
import io.maskserve.trainer.model.ClassifierConfig;
import io.maskserve.trainer.model.ClassifierNet;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.SynthTask;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Same seed, same run: rewards, keep fractions and the final maps are identical. */
class ReproducibilityTest {

  @Test
  void fixedSeedsReproduceTheRun() throws Exception {
    byte[] classifier;
    Djl.engine();
    try (Model m = Model.newInstance("c", "PyTorch")) {
      ClassifierNet net = new ClassifierNet(new ClassifierConfig(5, 4, 4));
      m.setBlock(net);
      net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
      classifier = new OnnxExporter().classifier(net, 32, 32);
    }
    LabelledImages data = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(32), 4), 0, 24,
        SynthTask.inputSpec(32));
    TrainerConfig config = new TrainerConfig(new GeneratorConfig(4, 2, 1, 1, 1), 4, 6, 3, 1e-2f, 1f, 0.3f, 0.01f, 9);
    try (OrtClassifier ort = new OrtClassifier(OrtEnvironment.getEnvironment(), classifier, 32, 32, 1, 64)) {
      float[][] mapsA;
      float[][] mapsB;
      List<StepStats> a;
      List<StepStats> b;
      try (Trainer t = new Trainer(config, ort, data)) {
        a = t.train(null);
        mapsA = t.keepProbabilities(data.pixels(), 4);
      }
      try (Trainer t = new Trainer(config, ort, data)) {
        b = t.train(null);
        mapsB = t.keepProbabilities(data.pixels(), 4);
      }
      assertEquals(a.size(), b.size());
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).meanReward(), b.get(i).meanReward(), "reward of step " + (i + 1));
        assertEquals(a.get(i).meanKeep(), b.get(i).meanKeep(), "keep of step " + (i + 1));
      }
      for (int i = 0; i < mapsA.length; i++) {
        assertArrayEquals(mapsA[i], mapsB[i]);
      }
    }
  }
}
