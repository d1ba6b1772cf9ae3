package io.maskserve.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.trainer.model.DecoderConfig;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.model.FeatureDecoderNet;
import io.maskserve.trainer.model.Tap;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parity of exported feature decoders with the DJL model; the ONNX inputs are named like the taps. */
class DecoderExportTest {

  static final List<Tap> TAPS = List.of(new Tap("/deep/Relu_output_0", 12, 2, 2), new Tap("/mid/Add_output_0", 6, 4, 4),
      new Tap("/shallow/Clip_output_0", 5, 16, 16));

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void exportedDecoderMatchesDjl(int levels) throws Exception {
    DecoderConfig config = new DecoderConfig(TAPS.subList(0, levels), 8, levels == 3 ? 3 : 1);
    Djl.engine();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (Model model = Model.newInstance("d", "PyTorch")) {
      FeatureDecoderNet net = new FeatureDecoderNet(config);
      model.setBlock(net);
      NDManager m = model.getNDManager();
      net.initialize(m, 3);
      SplittableRandom r = new SplittableRandom(5);
      List<float[]> values = config.taps().stream().map(t -> {
        float[] v = new float[3 * t.length()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (r.nextDouble() * 3 - 1);
        }
        return v;
      }).toList();
      // Training-mode passes move the batch-norm running statistics away from 0/1.
      for (int i = 0; i < 3; i++) {
        try (NDManager sub = m.newSubManager()) {
          net.forward(new ParameterStore(sub, false), inputs(sub, config, values), true);
        }
      }
      float[] djl;
      try (NDManager sub = m.newSubManager()) {
        djl = net.forward(new ParameterStore(sub, false), inputs(sub, config, values), false).singletonOrThrow()
            .toFloatArray();
      }
      byte[] onnx = new OnnxExporter().export(net, 224, 224);
      try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions())) {
        assertEquals(config.tensors().stream().collect(java.util.stream.Collectors.toSet()), s.getInputNames());
        Map<String, OnnxTensor> feed = new HashMap<>();
        for (int i = 0; i < levels; i++) {
          Tap t = config.taps().get(i);
          feed.put(t.tensor(), OnnxTensor.createTensor(env, FloatBuffer.wrap(values.get(i)),
              new long[] {3, t.channels(), t.height(), t.width()}));
        }
        try (OrtSession.Result res = s.run(feed)) {
          long[] shape = ((OnnxTensor) res.get(0)).getInfo().getShape();
          assertEquals(config.outputHeight(), shape[2]);
          FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
          float[] viaOrt = new float[fb.remaining()];
          fb.get(viaOrt);
          assertEquals(djl.length, viaOrt.length);
          double max = 0;
          for (int i = 0; i < djl.length; i++) {
            max = Math.max(max, Math.abs(djl[i] - viaOrt[i]));
          }
          assertTrue(max <= 1e-4, "max abs diff " + max);
        } finally {
          feed.values().forEach(OnnxTensor::close);
        }
      }
    }
  }

  private static NDList inputs(NDManager sub, DecoderConfig c, List<float[]> values) {
    NDList in = new NDList();
    for (int i = 0; i < c.taps().size(); i++) {
      Tap t = c.taps().get(i);
      in.add(sub.create(values.get(i), new Shape(3, t.channels(), t.height(), t.width())));
    }
    return in;
  }

  @Test
  void tapsMustBeOrderedCoarsestFirstWithOneIntegerFactor() {
    assertThrows(IllegalArgumentException.class, () -> new DecoderConfig(List.of(TAPS.get(1), TAPS.get(0)), 8, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new DecoderConfig(List.of(TAPS.get(0), new Tap("odd", 3, 3, 3)), 8, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new DecoderConfig(List.of(TAPS.get(0), new Tap("anisotropic", 3, 4, 8)), 8, 1));
    assertEquals(4, new DecoderConfig(TAPS, 8, 1).factor(2));
  }
}
