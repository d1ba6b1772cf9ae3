package io.maskserve.server.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.GeneratorSpec;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One open ONNX session with a float input and a single float output, whose names are read from
 * the session's metadata (models exported by different tools name them differently). A model may
 * also take the int64 input {@value GeneratorSpec#TARGET_INPUT} {@code [N]} (a class-conditional
 * generator): then the float input is the other one, and it is run with {@link #run(float[],
 * long[], long[])}. Thread-safe: ONNX Runtime allows concurrent {@code run} calls on one session.
 */
public final class OnnxModel implements AutoCloseable {

  /** A dense float output: values row-major and its shape. */
  public record Output(float[] values, long[] shape) {}

  /** A dense float input: values row-major and its shape (batch first). */
  public record Input(float[] values, long[] shape) {}

  private static final String TARGET = GeneratorSpec.TARGET_INPUT;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final String outputName;
  private final boolean takesTarget;

  /** Wraps {@code session}; takes ownership (closing this closes the session). */
  public OnnxModel(OrtEnvironment env, OrtSession session) {
    this.env = Objects.requireNonNull(env, "env");
    this.session = Objects.requireNonNull(session, "session");
    if (session.getNumInputs() < 1 || session.getNumOutputs() < 1) {
      throw new IllegalArgumentException("model has no input or no output");
    }
    Set<String> inputs = session.getInputNames();
    // A lone input is the image whatever its name; beside others, 'target' is the class input.
    this.takesTarget = inputs.size() > 1 && inputs.contains(TARGET);
    this.inputName = inputs.stream().filter(n -> !(takesTarget && n.equals(TARGET))).findFirst().orElseThrow();
    this.outputName = session.getOutputNames().iterator().next();
  }

  /** Name of the float (image) input: the first input, or the first besides {@code target}. */
  public String inputName() {
    return inputName;
  }

  /** Names of all the session's inputs, in the model's order. */
  public Set<String> inputNames() {
    return session.getInputNames();
  }

  /** Names of all the session's outputs, in the model's order. */
  public Set<String> outputNames() {
    return session.getOutputNames();
  }

  /** Name of the (first) output. */
  public String outputName() {
    return outputName;
  }

  /** Whether the model has, besides its float input, the int64 {@value GeneratorSpec#TARGET_INPUT} input. */
  public boolean takesTarget() {
    return takesTarget;
  }

  /**
   * Runs the model on {@code input} of {@code shape}; returns the first output.
   *
   * @throws IllegalStateException if the model also needs {@code target} (see {@link #takesTarget})
   */
  public Output run(float[] input, long[] shape) throws OrtException {
    if (takesTarget) {
      throw new IllegalStateException("the model also takes the int64 input '" + TARGET
          + "'; run it with a target per row");
    }
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape)) {
      return run(Map.of(inputName, tensor));
    }
  }

  /**
   * Runs a model that {@linkplain #takesTarget takes a target} on {@code input} of {@code shape}
   * (batch first) and {@code targets}, one per row; returns the first output.
   *
   * @throws IllegalStateException if the model has no {@code target} input
   * @throws IllegalArgumentException if there is not one target per row
   */
  public Output run(float[] input, long[] shape, long[] targets) throws OrtException {
    if (!takesTarget) {
      throw new IllegalStateException("the model has no int64 input '" + TARGET + "'; run it without targets");
    }
    if (shape.length == 0 || shape[0] != targets.length) {
      throw new IllegalArgumentException("need one target per row: " + targets.length + " targets for shape "
          + java.util.Arrays.toString(shape));
    }
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
        OnnxTensor target = OnnxTensor.createTensor(env, LongBuffer.wrap(targets), new long[] {targets.length})) {
      return run(Map.of(inputName, tensor, TARGET, target));
    }
  }

  /**
   * Runs a model that {@linkplain #takesTarget takes a target} (such as a classifier augmented with
   * its backward pass) and returns the named outputs, for models with several outputs.
   *
   * @param input the float input, row-major
   * @param shape its shape, batch first
   * @param targets one target per row
   * @param outputs names of the float outputs wanted
   * @return each wanted output by name
   * @throws IllegalStateException if the model has no {@code target} input
   * @throws IllegalArgumentException if there is not one target per row or an output is unknown
   */
  public Map<String, Output> run(float[] input, long[] shape, long[] targets, Set<String> outputs)
      throws OrtException {
    if (!takesTarget) {
      throw new IllegalStateException("the model has no int64 input '" + TARGET + "'; run it without targets");
    }
    if (shape.length == 0 || shape[0] != targets.length) {
      throw new IllegalArgumentException("need one target per row: " + targets.length + " targets for shape "
          + java.util.Arrays.toString(shape));
    }
    for (String o : outputs) {
      if (!session.getOutputNames().contains(o)) {
        throw new IllegalArgumentException("the model has no output '" + o + "'; it has " + session.getOutputNames());
      }
    }
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
        OnnxTensor target = OnnxTensor.createTensor(env, LongBuffer.wrap(targets), new long[] {targets.length});
        OrtSession.Result result = session.run(Map.of(inputName, tensor, TARGET, target), outputs)) {
      Map<String, Output> out = new java.util.LinkedHashMap<>();
      for (String o : outputs) {
        out.put(o, output((OnnxTensor) result.get(o).orElseThrow()));
      }
      return out;
    }
  }

  /**
   * Runs the model on named float inputs (and, when {@code targets} is not null, the int64 {@value
   * GeneratorSpec#TARGET_INPUT}) and returns the named outputs: for models whose inputs are not a
   * single image, such as generators reading classifier tensors, and classifiers with tensors
   * exposed as extra outputs.
   *
   * @param inputs every float input by name
   * @param targets one class per row, or null when the model takes none
   * @param outputs names of the float outputs wanted, in the order returned
   * @throws IllegalArgumentException if an output is unknown
   */
  public Map<String, Output> run(Map<String, Input> inputs, long[] targets, List<String> outputs)
      throws OrtException {
    for (String o : outputs) {
      if (!session.getOutputNames().contains(o)) {
        throw new IllegalArgumentException("the model has no output '" + o + "'; it has " + session.getOutputNames());
      }
    }
    Map<String, OnnxTensor> feed = new java.util.HashMap<>();
    try {
      for (Map.Entry<String, Input> e : inputs.entrySet()) {
        feed.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().values()), e.getValue().shape()));
      }
      if (targets != null) {
        feed.put(TARGET, OnnxTensor.createTensor(env, LongBuffer.wrap(targets), new long[] {targets.length}));
      }
      try (OrtSession.Result result = session.run(feed, new java.util.LinkedHashSet<>(outputs))) {
        Map<String, Output> out = new java.util.LinkedHashMap<>();
        for (String o : outputs) {
          out.put(o, output((OnnxTensor) result.get(o).orElseThrow()));
        }
        return out;
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private static Output output(OnnxTensor t) throws OrtException {
    FloatBuffer fb = t.getFloatBuffer();
    float[] values = new float[fb.remaining()];
    fb.get(values);
    return new Output(values, t.getInfo().getShape());
  }

  private Output run(Map<String, OnnxTensor> feed) throws OrtException {
    try (OrtSession.Result result = session.run(feed, Set.of(outputName))) {
      OnnxTensor out = (OnnxTensor) result.get(0);
      FloatBuffer fb = out.getFloatBuffer();
      float[] values = new float[fb.remaining()];
      fb.get(values);
      return new Output(values, out.getInfo().getShape());
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
