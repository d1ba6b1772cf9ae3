package io.maskserve.server.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Objects;

/**
 * One open ONNX session with a single float input and a single float output, whose names are
 * read from the session's metadata (models exported by different tools name them differently).
 * Thread-safe: ONNX Runtime allows concurrent {@code run} calls on one session.
 */
public final class OnnxModel implements AutoCloseable {

  /** A dense float output: values row-major and its shape. */
  public record Output(float[] values, long[] shape) {}

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final String outputName;

  /** Wraps {@code session}; takes ownership (closing this closes the session). */
  public OnnxModel(OrtEnvironment env, OrtSession session) {
    this.env = Objects.requireNonNull(env, "env");
    this.session = Objects.requireNonNull(session, "session");
    if (session.getNumInputs() < 1 || session.getNumOutputs() < 1) {
      throw new IllegalArgumentException("model has no input or no output");
    }
    this.inputName = session.getInputNames().iterator().next();
    this.outputName = session.getOutputNames().iterator().next();
  }

  /** Name of the (first) input. */
  public String inputName() {
    return inputName;
  }

  /** Name of the (first) output. */
  public String outputName() {
    return outputName;
  }

  /** Runs the model on {@code input} of {@code shape}; returns the first output. */
  public Output run(float[] input, long[] shape) throws OrtException {
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
        OrtSession.Result result = session.run(Map.of(inputName, tensor), java.util.Set.of(outputName))) {
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
