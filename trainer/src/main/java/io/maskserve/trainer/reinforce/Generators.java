package io.maskserve.trainer.reinforce;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.maskserve.trainer.model.GeneratorNet;
import io.maskserve.trainer.model.MaskGenerator;

/** Running a trained DJL generator in inference mode. */
public final class Generators {

  private Generators() {}

  /**
   * Keep probabilities {@code [n][h*w]} of {@code n} contiguous normalised images.
   *
   * @param targets the class to explain per image when the generator is class-conditional (ignored,
   *     may be null, otherwise)
   */
  public static float[][] keepProbabilities(Model model, GeneratorNet net, float[] images, int[] targets, int n,
      int height, int width) {
    boolean conditional = net.config().conditional();
    if (conditional && (targets == null || targets.length < n)) {
      throw new IllegalArgumentException("a class-conditional generator needs a target per image");
    }
    int len = 3 * height * width;
    return keepProbabilities(model, net, n, (mm, start, m) -> {
      NDList in = new NDList(mm.create(java.util.Arrays.copyOfRange(images, start * len, (start + m) * len),
          new Shape(m, 3, height, width)));
      if (conditional) {
        in.add(mm.create(java.util.Arrays.copyOfRange(targets, start, start + m)));
      }
      return in;
    });
  }

  /** The inputs of one chunk of images, created in {@code manager}. */
  @FunctionalInterface
  public interface ChunkInputs {
    /** Inputs of images {@code start .. start+count-1}. */
    NDList of(NDManager manager, int start, int count);
  }

  /**
   * Keep probabilities {@code [n][h*w]} of any {@link MaskGenerator}, in inference mode, in chunks
   * of 32 whose inputs {@code inputs} provides.
   */
  public static float[][] keepProbabilities(Model model, MaskGenerator net, int n, ChunkInputs inputs) {
    float[][] out = new float[n][];
    int batch = 32;
    try (NDManager sub = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(sub, false);
      for (int start = 0; start < n; start += batch) {
        int m = Math.min(batch, n - start);
        try (NDManager mm = sub.newSubManager()) {
          NDArray p = net.forward(ps, inputs.of(mm, start, m), false).singletonOrThrow();
          int cells = (int) (p.getShape().get(2) * p.getShape().get(3));
          float[] flat = p.toFloatArray();
          for (int i = 0; i < m; i++) {
            out[start + i] = java.util.Arrays.copyOfRange(flat, i * cells, (i + 1) * cells);
          }
        }
      }
    }
    return out;
  }
}
