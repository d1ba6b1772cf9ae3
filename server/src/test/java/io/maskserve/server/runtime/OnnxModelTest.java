package io.maskserve.server.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.TestData;
import io.maskserve.zoo.testing.TestOnnxModels;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OnnxModelTest {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();

  @Test
  void runsATwoInputGeneratorWithOneTargetPerRow() throws Exception {
    try (OnnxModel g = new OnnxModel(env, env.createSession(TestData.conditionalGeneratorOnnx()))) {
      assertTrue(g.takesTarget());
      assertEquals("image", g.inputName());
      assertEquals(Set.of("image", "target"), g.inputNames());
      OnnxModel.Output out = g.run(new float[3 * 3 * 32 * 32], new long[] {3, 3, 32, 32}, new long[] {2, 0, 2});
      assertArrayEquals(new long[] {3, 1, 8, 8}, out.shape());
      for (int row = 0; row < 3; row++) {
        int target = List.of(2, 0, 2).get(row);
        for (int cell = 0; cell < 64; cell++) {
          assertEquals(TestOnnxModels.conditionalKeep(target, cell, 10), out.values()[row * 64 + cell], "row " + row);
        }
      }
      IllegalStateException noTarget = assertThrows(IllegalStateException.class,
          () -> g.run(new float[3 * 32 * 32], new long[] {1, 3, 32, 32}));
      assertTrue(noTarget.getMessage().contains("'target'"), noTarget.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> g.run(new float[2 * 3 * 32 * 32], new long[] {2, 3, 32, 32}, new long[] {1}));
    }
  }

  @Test
  void aSingleInputModelTakesNoTarget() throws Exception {
    try (OnnxModel c = new OnnxModel(env, env.createSession(TestData.resnetOnnx().toString()))) {
      assertFalse(c.takesTarget());
      assertEquals("input", c.inputName());
      assertThrows(IllegalStateException.class,
          () -> c.run(new float[3 * 32 * 32], new long[] {1, 3, 32, 32}, new long[] {0}));
      assertEquals(10, c.run(new float[3 * 32 * 32], new long[] {1, 3, 32, 32}).values().length);
    }
  }
}
