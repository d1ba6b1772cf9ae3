package io.maskserve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.nn.Block;
import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.export.OnnxExporter;
import io.maskserve.trainer.model.ClassifierConfig;
import io.maskserve.trainer.model.ClassifierNet;
import io.maskserve.trainer.model.ClassifierTraining;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.pipeline.SynthClassifierPipeline;
import io.maskserve.trainer.reinforce.Evaluation;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.trainer.reinforce.Reinforce;
import io.maskserve.trainer.reinforce.StepStats;
import io.maskserve.trainer.reinforce.Trainer;
import io.maskserve.trainer.reinforce.TrainerConfig;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.trainer.synth.SynthTask;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic vertical slice end to end: classifier trained with DJL and exported (accuracy,
 * parity, zoo validation), then a generator trained with {@code reinforce} against the exported
 * classifier through ONNX Runtime (reward goes up, pointing beats a uniform map), exported with
 * parity and registered in a zoo. One classifier is trained for all tests to keep the run short.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyntheticPipelineTest {

  static final int SIZE = 32;

  OrtEnvironment env;
  SynthClassifierPipeline.Result classifier;
  OrtClassifier ort;

  @BeforeAll
  void trainClassifier() throws Exception {
    env = OrtEnvironment.getEnvironment();
    classifier = SynthClassifierPipeline.run(new SynthClassifierPipeline.Options(SIZE, 6000, 600, 5, 16, 3));
    ort = new OrtClassifier(env, classifier.onnx(), SIZE, SIZE, 2, 256);
  }

  @AfterAll
  void close() throws Exception {
    if (ort != null) {
      ort.close();
    }
  }

  @Test
  void classifierReachesNinetyFivePercentOnHeldOutScenesThroughOnnxRuntime() throws Exception {
    SceneGenerator unseen = new SceneGenerator(SceneConfig.ofSize(SIZE), 99);
    LabelledImages test = ImageSets.synthetic(unseen, 0, 1000, SynthTask.inputSpec(SIZE));
    int[] pred = ort.top1(test.pixels(), test.size());
    int correct = 0;
    int[][] confusion = new int[5][5];
    for (int i = 0; i < pred.length; i++) {
      correct += pred[i] == test.labels()[i] ? 1 : 0;
      confusion[test.labels()[i]][pred[i]]++;
    }
    System.out.println("confusion (rows = truth " + ShapeClass.labels() + "): " + java.util.Arrays.deepToString(confusion));
    double acc = correct / (double) pred.length;
    System.out.printf("classifier: DJL held-out %.4f, ORT unseen-seed %.4f, %.0f img/s%n",
        classifier.training().testAccuracy(), acc, classifier.training().imagesPerSecond());
    assertTrue(acc >= 0.95, "accuracy " + acc);
  }

  @Test
  void exportedClassifierMatchesDjlAndPassesTheZooValidator(@TempDir Path dir) throws Exception {
    Djl.engine();
    try (Model model = Model.newInstance("c", "PyTorch")) {
      ClassifierNet net = new ClassifierNet(new ClassifierConfig(5, 8, 4));
      model.setBlock(net);
      LabelledImages data = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(SIZE), 5), 0, 256,
          SynthTask.inputSpec(SIZE));
      // A short training run so batch-norm statistics and weights are not at their initial values.
      ClassifierTraining.train(model, data, data, new ClassifierTraining.Config(1, 32, 1e-3f, 1));
      byte[] onnx = new OnnxExporter().classifier(net, SIZE, SIZE);
      float[] x = data.gather(new int[] {0, 1, 2, 3, 4, 5, 6});
      float[] djl = forward(model, net, x, 7);
      try (OrtClassifier o = new OrtClassifier(env, onnx, SIZE, SIZE, 1, 64)) {
        float[][] ortOut = o.logits(x, 7);
        assertEquals(djl.length, 7 * 5);
        assertTrue(maxAbsDiff(djl, flatten(ortOut)) <= 1e-4, "max abs diff " + maxAbsDiff(djl, flatten(ortOut)));
      }
    }
  }

  @Test
  void reinforceRaisesRewardAndPointsAtTheObject(@TempDir Path dir) throws Exception {
    SceneGenerator scenes = new SceneGenerator(SceneConfig.ofSize(SIZE), 11);
    LabelledImages train = ImageSets.synthetic(scenes, 0, 2000, SynthTask.inputSpec(SIZE));
    LabelledImages eval = ImageSets.synthetic(scenes, 1_000_000, 200, SynthTask.inputSpec(SIZE));
    GeneratorConfig gc = new GeneratorConfig(8, 3, 1, 1, 1);
    TrainerConfig config = new TrainerConfig(gc, 150, 16, 3e-3f, 0.5f, 5);
    Reinforce.Settings settings = new Reinforce.Settings(6, 1.5f, 0.3f, 0.01f, Reinforce.Estimator.REINFORCE, 0f,
        0.5f);
    int grid = gc.outputSide(SIZE);
    int[] evalTargets = ort.top1(eval.pixels(), eval.size());
    try (Trainer trainer = new Trainer(config, new Reinforce(settings, ort, null), ort, train)) {
      float[][] before = trainer.keepProbabilities(eval.pixels(), eval.size());
      double rewardBefore = Evaluation.expectedReward(before, grid, grid, eval, evalTargets, ort, settings, 4, 1);
      long t0 = System.nanoTime();
      List<StepStats> steps = trainer.train(null);
      double seconds = (System.nanoTime() - t0) / 1e9;
      float[][] after = trainer.keepProbabilities(eval.pixels(), eval.size());
      double rewardAfter = Evaluation.expectedReward(after, grid, grid, eval, evalTargets, ort, settings, 4, 1);
      Evaluation.Result r = Evaluation.evaluate(after, grid, grid, eval, evalTargets, ort, 0.5f,
          Evaluation.defaultTolerance(SIZE));
      System.out.printf("reinforce: %d steps in %.1f s (%.0f img/s), reward %.3f -> %.3f, pointing %.3f"
          + " (uniform %.3f), IoU %.3f, keep %.3f, p ratio %.3f%n", steps.size(), seconds,
          steps.size() * config.batchSize() / seconds, rewardBefore, rewardAfter, r.pointingRate(),
          r.uniformPointingRate(), r.meanIou(), r.meanKeep(), r.probabilityRatio());
      assertTrue(rewardAfter > rewardBefore + 0.1, "reward " + rewardBefore + " -> " + rewardAfter);
      // Measured 0.37-0.59 against a uniform 0.20 over several classifiers; a margin of 0.1 still
      // fails for a generator that learned nothing about object location.
      assertTrue(r.pointingRate() > r.uniformPointingRate() + 0.1,
          "pointing " + r.pointingRate() + " vs uniform " + r.uniformPointingRate());

      // The trained generator exports with parity and is accepted by a zoo beside its classifier.
      byte[] onnx = new OnnxExporter().export(trainer.generator(), SIZE, SIZE);
      float[] x = eval.gather(new int[] {0, 1, 2, 3, 4});
      float[] djl = flatten(trainer.keepProbabilities(x, 5));
      float[] viaOrt = runGenerator(onnx, x, 5);
      assertTrue(maxAbsDiff(djl, viaOrt) <= 1e-4, "generator max abs diff " + maxAbsDiff(djl, viaOrt));

      FileSystemZooStore zoo = FileSystemZooStore.open(dir.resolve("zoo"), new OnnxModelValidator(env));
      ModelManifest m = zoo.registerClassifier(new ClassifierRegistration("synth", "1", classifier.labels(),
          classifier.input(), "", "synthetic shapes"), new ByteArrayInputStream(classifier.onnx()));
      ModelManifest withGen = zoo.registerGenerator(new GeneratorRegistration(m.key(), 0.5f, "", "reinforce"),
          new ByteArrayInputStream(onnx));
      assertEquals(grid, withGen.generator().orElseThrow().outputHeight());
    }
  }

  private float[] runGenerator(byte[] onnx, float[] x, int n) throws Exception {
    try (ai.onnxruntime.OrtSession s = env.createSession(onnx, new ai.onnxruntime.OrtSession.SessionOptions());
        ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x),
            new long[] {n, 3, SIZE, SIZE});
        ai.onnxruntime.OrtSession.Result res = s.run(java.util.Map.of(OnnxExporter.GENERATOR_INPUT, t))) {
      java.nio.FloatBuffer fb = ((ai.onnxruntime.OnnxTensor) res.get(0)).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }

  private static float[] forward(Model model, Block net, float[] x, int n) {
    try (NDManager sub = model.getNDManager().newSubManager()) {
      NDArray in = sub.create(x, new Shape(n, 3, SIZE, SIZE));
      return net.forward(new ParameterStore(sub, false), new NDList(in), false).singletonOrThrow().toFloatArray();
    }
  }

  private static float[] flatten(float[][] a) {
    int n = 0;
    for (float[] r : a) {
      n += r.length;
    }
    float[] out = new float[n];
    int o = 0;
    for (float[] r : a) {
      System.arraycopy(r, 0, out, o, r.length);
      o += r.length;
    }
    return out;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
