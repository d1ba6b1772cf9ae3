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
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parity of exported generators with the DJL model, over the configuration space. */
class GeneratorExportTest {

  static final int SIZE = 32;

  @ParameterizedTest
  @CsvSource({"4,2,2,0,5", "4,2,1,0,1", "4,2,2,0,1", "4,2,1,0,5", "8,3,1,1,1", "4,3,1,3,3"})
  void exportedGeneratorMatchesDjl(int width, int depth, int blocks, int level, int smooth) throws Exception {
    Djl.engine();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (Model model = Model.newInstance("g", "PyTorch")) {
      GeneratorNet net = new GeneratorNet(new GeneratorConfig(width, depth, blocks, level, smooth));
      model.setBlock(net);
      NDManager m = model.getNDManager();
      net.initialize(m, DataType.FLOAT32, new Shape(4, 3, SIZE, SIZE));
      SplittableRandom r = new SplittableRandom(3);
      float[] x = new float[4 * 3 * SIZE * SIZE];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextDouble() * 4 - 2);
      }
      // Training-mode passes move the batch-norm running statistics away from 0/1.
      for (int i = 0; i < 3; i++) {
        try (NDManager sub = m.newSubManager()) {
          net.forward(new ParameterStore(sub, false), new NDList(sub.create(x, new Shape(4, 3, SIZE, SIZE))), true);
        }
      }
      float[] djl;
      try (NDManager sub = m.newSubManager()) {
        djl = net.forward(new ParameterStore(sub, false), new NDList(sub.create(x, new Shape(4, 3, SIZE, SIZE))), false)
            .singletonOrThrow().toFloatArray();
      }
      byte[] onnx = new OnnxExporter().generator(net, SIZE, SIZE);
      float[] viaOrt;
      try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
          OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {4, 3, SIZE, SIZE});
          OrtSession.Result res = s.run(Map.of(OnnxExporter.GENERATOR_INPUT, t))) {
        FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
        viaOrt = new float[fb.remaining()];
        fb.get(viaOrt);
      }
      int side = SIZE >> level;
      assertEquals(4 * side * side, djl.length);
      assertEquals(djl.length, viaOrt.length);
      double max = 0;
      for (int i = 0; i < djl.length; i++) {
        max = Math.max(max, Math.abs(djl[i] - viaOrt[i]));
      }
      assertTrue(max <= 1e-4, "max abs diff " + max);
    }
  }
}
