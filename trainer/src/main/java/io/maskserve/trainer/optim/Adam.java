package io.maskserve.trainer.optim;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Adam (Kingma &amp; Ba 2015) over DJL parameters, with its moment estimates and step count
 * saveable, so a resumed run continues exactly where it stopped. DJL's own {@code Adam} keeps that
 * state private, which is why the trainer does not use it.
 *
 * <p>Update per parameter with gradient g at step t (1-based): m = β1·m + (1−β1)·g, v = β2·v +
 * (1−β2)·g², w −= lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t). Parameters that do not
 * require a gradient (batch-norm running statistics) are skipped. The moments are kept as Java
 * arrays: the generator is small, and the state is then trivially exact to save. Not thread-safe.
 */
public final class Adam {

  private static final int MAGIC = 0x4d534144; // "MSAD"
  private static final int FORMAT = 1;

  private final float learningRate;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final List<Pair<String, Parameter>> parameters;
  private final Map<String, float[][]> moments = new LinkedHashMap<>();
  private long step;

  /**
   * @param parameters the trainable parameters, in a stable order (their names identify the state)
   * @param learningRate step size
   */
  public Adam(List<Pair<String, Parameter>> parameters, float learningRate) {
    this(parameters, learningRate, 0.9f, 0.999f, 1e-8f);
  }

  /** Adam with explicit β1, β2 and ε. */
  public Adam(List<Pair<String, Parameter>> parameters, float learningRate, float beta1,
      float beta2, float epsilon) {
    if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException("bad Adam settings");
    }
    this.parameters = new ArrayList<>();
    for (Pair<String, Parameter> p : Objects.requireNonNull(parameters, "parameters")) {
      if (p.getValue().requiresGradient()) {
        this.parameters.add(p);
      }
    }
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  /** Steps taken so far. */
  public long step() {
    return step;
  }

  /** Marks every trainable parameter as needing a gradient (before the first forward pass). */
  public void attachGradients() {
    for (Pair<String, Parameter> p : parameters) {
      p.getValue().getArray().setRequiresGradient(true);
    }
  }

  /**
   * Applies one update from the parameters' current gradients, then zeroes the gradients.
   *
   * @throws IllegalStateException if a gradient is NaN or infinite (the run diverged); no
   *     parameter is changed then
   */
  public void update() {
    update(1f);
  }

  /**
   * {@link #update()} with the learning rate scaled by {@code lrScale} for this step (a
   * schedule); the scale is not part of the saved state, the caller derives it from the step.
   */
  public void update(float lrScale) {
    if (!(lrScale >= 0)) {
      throw new IllegalArgumentException("lrScale must be >= 0");
    }
    float lr = learningRate * lrScale;
    List<float[]> grads = new ArrayList<>(parameters.size());
    for (Pair<String, Parameter> p : parameters) {
      float[] g;
      try (NDArray grad = p.getValue().getArray().getGradient()) {
        g = grad.toFloatArray();
        grad.subi(grad);
      }
      for (float x : g) {
        if (!Float.isFinite(x)) {
          throw new IllegalStateException("non-finite gradient of " + p.getKey() + " at step " + (step + 1)
              + ": the run diverged (lower the learning rate)");
        }
      }
      grads.add(g);
    }
    step++;
    double c1 = 1 - Math.pow(beta1, step);
    double c2 = 1 - Math.pow(beta2, step);
    for (int i = 0; i < parameters.size(); i++) {
      Pair<String, Parameter> p = parameters.get(i);
      NDArray w = p.getValue().getArray();
      float[] g = grads.get(i);
      float[][] mv = moments.computeIfAbsent(p.getKey(), k -> new float[][] {new float[g.length], new float[g.length]});
      float[] m = mv[0];
      float[] v = mv[1];
      float[] weights = w.toFloatArray();
      for (int j = 0; j < g.length; j++) {
        m[j] = beta1 * m[j] + (1 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
        weights[j] -= (float) (lr * (m[j] / c1) / (Math.sqrt(v[j] / c2) + epsilon));
      }
      w.set(FloatBuffer.wrap(weights));
    }
  }

  /** Writes the step count and moment estimates. */
  public void save(DataOutputStream out) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeLong(step);
    out.writeInt(moments.size());
    for (Map.Entry<String, float[][]> e : moments.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue()[0].length);
      for (float[] a : e.getValue()) {
        for (float f : a) {
          out.writeFloat(f);
        }
      }
    }
  }

  /**
   * Restores state written by {@link #save}. Every saved name must be one of this optimiser's
   * parameters with the same number of values.
   */
  public void load(DataInputStream in) throws IOException, MalformedModelException {
    if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
      throw new MalformedModelException("not a maskserve Adam state (format " + FORMAT + ")");
    }
    long newStep = in.readLong();
    int count = in.readInt();
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : parameters) {
      sizes.put(p.getKey(), p.getValue().getArray().size());
    }
    if (newStep < 0 || count < 0 || count > sizes.size()) {
      throw new MalformedModelException("corrupt Adam state: step " + newStep + ", " + count + " parameters");
    }
    Map<String, float[][]> loaded = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      Long expected = sizes.get(name);
      int n = in.readInt();
      if (expected == null || n != expected) {
        throw new MalformedModelException("Adam state of '" + name + "' (" + n + " values) does not match the"
            + " generator (" + (expected == null ? "no such parameter" : expected + " values") + ")");
      }
      float[][] mv = new float[2][n];
      for (float[] a : mv) {
        for (int k = 0; k < n; k++) {
          a[k] = in.readFloat();
        }
      }
      loaded.put(name, mv);
    }
    moments.clear();
    moments.putAll(loaded);
    step = newStep;
  }

}
