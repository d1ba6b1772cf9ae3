package io.maskserve.server.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.TestData;
import org.junit.jupiter.api.Test;

class SessionFactoryTest {

  @Test
  void cudaFallsBackToCpuAndStillRuns() throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    SessionFactory factory = new SessionFactory(env, Device.CUDA, 1, 1);
    // No GPU and a CPU-only ONNX Runtime here: the CUDA provider cannot be added.
    try (OnnxModel model = new OnnxModel(env, factory.open(TestData.resnetOnnx()))) {
      assertEquals(Device.CPU, factory.effectiveDevice());
      OnnxModel.Output out = model.run(new float[3 * 32 * 32], new long[] {1, 3, 32, 32});
      assertEquals(10, out.values().length);
      assertEquals("input", model.inputName());
      assertEquals("logits", model.outputName());
    }
    // A second model neither retries nor fails.
    try (OrtSession s = factory.open(TestData.resnetOnnx())) {
      assertEquals(1, s.getNumInputs());
    }
  }

  @Test
  void cpuStaysCpu() throws Exception {
    SessionFactory factory = new SessionFactory(OrtEnvironment.getEnvironment(), Device.CPU, 0, 0);
    try (OrtSession s = factory.open(TestData.resnetOnnx())) {
      assertEquals(Device.CPU, factory.effectiveDevice());
      assertEquals(1, s.getNumOutputs());
    }
  }

  @Test
  void parsesDevices() {
    assertEquals(Device.CUDA, Device.parse(" CUDA "));
    assertEquals(Device.CPU, Device.parse("cpu"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
  }
}
