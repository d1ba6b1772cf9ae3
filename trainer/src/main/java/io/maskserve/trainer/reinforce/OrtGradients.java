package io.maskserve.trainer.reinforce;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.InvalidProtocolBufferException;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The frozen classifier's input gradients, run by ONNX Runtime on the graph that {@link
 * Autodiff#augment} builds from the classifier (the trainer's "gradients as auxiliary
 * information"). Thread-safe like an {@link OrtSession}.
 */
public final class OrtGradients implements AutoCloseable {

  /**
   * Logits and input gradients of a batch.
   *
   * @param logits {@code [n][C]}
   * @param inputGrad {@code ∂ score[target] / ∂ input}, {@code n·3·H·W} values in input layout
   */
  public record Result(float[][] logits, float[] inputGrad) {}

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final String logitsName;
  private final int height;
  private final int width;
  private final int maxBatch;

  /**
   * @param env the ONNX Runtime environment
   * @param classifierOnnx the classifier's ONNX bytes ({@code [N,3,H,W] -> logits [N,C]})
   * @param score which score is differentiated (the logit or its log-softmax)
   * @param height input height
   * @param width input width
   * @param threads intra-op threads
   * @param maxBatch largest batch sent in one run
   */
  public OrtGradients(OrtEnvironment env, byte[] classifierOnnx, AutodiffOptions.Score score, int height, int width,
      int threads, int maxBatch) throws OrtException {
    this.env = Objects.requireNonNull(env, "env");
    ModelProto classifier;
    try {
      classifier = ModelProto.parseFrom(classifierOnnx);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("classifier is not an ONNX model: " + e.getMessage(), e);
    }
    ModelProto augmented = Autodiff.augment(classifier, new AutodiffOptions(score, List.of()));
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(Math.max(1, threads));
      o.setInterOpNumThreads(1);
      session = env.createSession(augmented.toByteArray(), o);
    }
    this.inputName = classifier.getGraph().getInput(0).getName();
    this.logitsName = classifier.getGraph().getOutput(0).getName();
    this.height = height;
    this.width = width;
    this.maxBatch = Math.max(1, maxBatch);
  }

  /** Logits and {@code ∂ score[targets[i]] / ∂ image i} of {@code n} contiguous images. */
  public Result run(float[] images, int n, int[] targets) throws OrtException {
    int len = 3 * height * width;
    if (images.length < (long) n * len || targets.length < n) {
      throw new IllegalArgumentException("images or targets hold fewer than " + n + " entries");
    }
    float[][] logits = new float[n][];
    float[] grad = new float[n * len];
    for (int start = 0; start < n; start += maxBatch) {
      int m = Math.min(maxBatch, n - start);
      long[] t = new long[m];
      for (int i = 0; i < m; i++) {
        t[i] = targets[start + i];
      }
      FloatBuffer buf = FloatBuffer.wrap(images, start * len, m * len).slice();
      try (OnnxTensor x = OnnxTensor.createTensor(env, buf, new long[] {m, 3, height, width});
          OnnxTensor y = OnnxTensor.createTensor(env, LongBuffer.wrap(t), new long[] {m});
          OrtSession.Result r = session.run(Map.of(inputName, x, Autodiff.TARGET, y))) {
        float[][] part = (float[][]) r.get(logitsName).orElseThrow().getValue();
        System.arraycopy(part, 0, logits, start, m);
        FloatBuffer g = ((OnnxTensor) r.get(Autodiff.INPUT_GRAD).orElseThrow()).getFloatBuffer();
        g.get(grad, start * len, m * len);
      }
    }
    return new Result(logits, grad);
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
