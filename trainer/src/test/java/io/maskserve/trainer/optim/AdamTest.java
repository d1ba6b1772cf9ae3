package io.maskserve.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.maskserve.trainer.model.Djl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Adam against its closed form, and its state round trip. */
class AdamTest {

  private static Parameter param(NDManager m, String name, float... values) {
    Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
    p.setArray(m.create(values, new Shape(values.length)));
    return p;
  }

  /** Loss Σ c·w: gradient c every step. */
  private static void step(Adam adam, Parameter p, float[] c, NDManager m) {
    try (GradientCollector gc = Djl.engine().newGradientCollector()) {
      NDArray loss = p.getArray().mul(m.create(c)).sum();
      gc.backward(loss);
    }
    adam.update();
  }

  @Test
  void matchesTheClosedFormAndResumesExactly() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      float[] c = {1f, -2f, 0.5f};
      Parameter p = param(m, "w", 0f, 0f, 0f);
      Adam adam = new Adam(List.of(new Pair<>("w", p)), 0.1f);
      adam.attachGradients();
      for (int t = 0; t < 3; t++) {
        step(adam, p, c, m);
      }
      // With a constant gradient m̂ = g and v̂ = g², so each step moves by lr·g/(|g|+ε): 3 steps of 0.1.
      float[] w = p.getArray().toFloatArray();
      assertArrayEquals(new float[] {-0.3f, 0.3f, -0.3f}, w, 1e-5f);
      assertEquals(3, adam.step());

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      adam.save(new DataOutputStream(bytes));
      Parameter q = param(m, "w", w);
      Adam resumed = new Adam(List.of(new Pair<>("w", q)), 0.1f);
      resumed.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      resumed.attachGradients();
      float[] c2 = {-3f, 1f, 2f};
      step(adam, p, c2, m);
      step(resumed, q, c2, m);
      assertArrayEquals(p.getArray().toFloatArray(), q.getArray().toFloatArray());

      Adam other = new Adam(List.of(new Pair<>("w", param(m, "w", 1f, 2f))), 0.1f);
      assertThrows(MalformedModelException.class,
          () -> other.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
    }
  }

  @Test
  void aNonFiniteGradientStopsTheRunWithoutTouchingTheWeights() {
    try (NDManager m = NDManager.newBaseManager(Djl.engine().getEngineName())) {
      Parameter p = param(m, "w", 1f, 1f);
      Adam adam = new Adam(List.of(new Pair<>("w", p)), 0.1f);
      adam.attachGradients();
      try (GradientCollector gc = Djl.engine().newGradientCollector()) {
        gc.backward(p.getArray().log().mul(m.create(new float[] {Float.NaN, 1f})).sum());
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, adam::update);
      assertEquals(0, adam.step());
      assertArrayEquals(new float[] {1f, 1f}, p.getArray().toFloatArray());
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("diverged"), e.getMessage());
    }
  }
}
