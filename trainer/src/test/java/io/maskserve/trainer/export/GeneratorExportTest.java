package io.maskserve.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.model.GeneratorNet;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parity of exported generators with the DJL model, over the configuration space. */
class GeneratorExportTest {

  static final int SIZE = 32;

  @ParameterizedTest
  @CsvSource({"4,2,2,0,5,0", "4,2,1,0,1,0", "4,2,2,0,1,0", "4,2,1,0,5,0", "8,3,1,1,1,0", "4,3,1,3,3,0",
      // class-conditional: the class embedding is a Gather + Unsqueeze + Add in the graph
      "4,2,1,1,1,5", "8,3,1,2,3,3"})
  void exportedGeneratorMatchesDjl(int width, int depth, int blocks, int level, int smooth, int classes)
      throws Exception {
    Djl.engine();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (Model model = Model.newInstance("g", "PyTorch")) {
      GeneratorNet net = new GeneratorNet(new GeneratorConfig(width, depth, blocks, level, smooth, classes));
      model.setBlock(net);
      NDManager m = model.getNDManager();
      net.initialize(m, DataType.FLOAT32, new Shape(4, 3, SIZE, SIZE));
      SplittableRandom r = new SplittableRandom(3);
      float[] x = new float[4 * 3 * SIZE * SIZE];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextDouble() * 4 - 2);
      }
      int[] targets = classes == 0 ? null : new int[] {0, 1, classes - 1, 1};
      // Training-mode passes move the batch-norm running statistics away from 0/1.
      for (int i = 0; i < 3; i++) {
        try (NDManager sub = m.newSubManager()) {
          net.forward(new ParameterStore(sub, false), inputs(sub, x, targets), true);
        }
      }
      float[] djl = djl(net, m, x, targets);
      byte[] onnx = new OnnxExporter().generator(net, SIZE, SIZE);
      try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions())) {
        float[] viaOrt = ort(env, s, x, targets);
        int side = SIZE >> level;
        assertEquals(4 * side * side, djl.length);
        assertEquals(djl.length, viaOrt.length);
        assertTrue(maxAbsDiff(djl, viaOrt) <= 1e-4, "max abs diff " + maxAbsDiff(djl, viaOrt));
        if (classes > 0) {
          // The class is an input that matters: other targets, other maps, in both runtimes alike.
          int[] others = {classes - 1, 0, 0, 0};
          float[] djlOthers = djl(net, m, x, others);
          assertTrue(maxAbsDiff(djl, djlOthers) > 1e-3, "maps do not depend on the target");
          assertTrue(maxAbsDiff(djlOthers, ort(env, s, x, others)) <= 1e-4);
        }
      }
    }
  }

  private static NDList inputs(NDManager sub, float[] x, int[] targets) {
    NDList in = new NDList(sub.create(x, new Shape(4, 3, SIZE, SIZE)));
    if (targets != null) {
      in.add(sub.create(targets));
    }
    return in;
  }

  private static float[] djl(GeneratorNet net, NDManager m, float[] x, int[] targets) {
    try (NDManager sub = m.newSubManager()) {
      return net.forward(new ParameterStore(sub, false), inputs(sub, x, targets), false).singletonOrThrow()
          .toFloatArray();
    }
  }

  private static float[] ort(OrtEnvironment env, OrtSession s, float[] x, int[] targets) throws Exception {
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {4, 3, SIZE, SIZE});
        OnnxTensor y = targets == null ? null
            : OnnxTensor.createTensor(env, LongBuffer.wrap(Arrays.stream(targets).asLongStream().toArray()),
                new long[] {4});
        OrtSession.Result res = s.run(y == null ? Map.of(OnnxExporter.GENERATOR_INPUT, t)
            : Map.of(OnnxExporter.GENERATOR_INPUT, t, OnnxExporter.GENERATOR_TARGET, y))) {
      FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
