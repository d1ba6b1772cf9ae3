package io.maskserve.trainer.reinforce;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.autodiff.GradientTap;
import io.maskserve.zoo.onnx.ClassifierGraphs;
import io.maskserve.zoo.onnx.FeatureTaps;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A frozen classifier run by ONNX Runtime, the reward's judge. Batches larger than {@code
 * maxBatch} are split so memory stays bounded. Thread-safe (ONNX Runtime sessions may be run
 * concurrently); closing it while a call runs is not.
 */
public final class OrtClassifier implements AutoCloseable {

  private final OrtEnvironment env;
  private final OrtSession session;
  /**
   * The untapped classifier for {@link #logits} when a tap needs a backward pass ({@link
   * GradientTap}): scoring masked images must not pay for it. Otherwise {@link #session}.
   */
  private final OrtSession scoring;
  private final String inputName;
  private final String logitsName;
  private final List<String> taps;
  private final int height;
  private final int width;
  private final int maxBatch;

  /**
   * @param env the ONNX Runtime environment (not closed here)
   * @param onnx the serialized classifier {@code [N,3,H,W] -> [N,C]}
   * @param height input height
   * @param width input width
   * @param threads intra-op threads
   * @param maxBatch largest batch sent in one run
   */
  public OrtClassifier(OrtEnvironment env, byte[] onnx, int height, int width, int threads, int maxBatch)
      throws OrtException {
    this(env, onnx, height, width, threads, maxBatch, List.of());
  }

  /**
   * A classifier that also exposes the intermediate tensors {@code taps} (see {@link #features}),
   * for generators that decode them.
   *
   * @param taps names of tensors of the classifier's graph (see {@link FeatureTaps})
   */
  public OrtClassifier(OrtEnvironment env, byte[] onnx, int height, int width, int threads, int maxBatch,
      List<String> taps) throws OrtException {
    this.env = Objects.requireNonNull(env, "env");
    this.taps = List.copyOf(taps);
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(Math.max(1, threads));
      o.setInterOpNumThreads(1);
      ClassifierGraphs graphs = ClassifierGraphs.of(parse(onnx), this.taps);
      session = env.createSession(graphs.tapped().orElseGet(() -> graphs.plain().orElseThrow()).toByteArray(), o);
      try {
        scoring = graphs.tapped().isPresent() && graphs.plain().isPresent()
            ? env.createSession(graphs.plain().get().toByteArray(), o) : session;
      } catch (OrtException | RuntimeException e) {
        session.close();
        throw e;
      }
    }
    inputName = session.getInputNames().iterator().next();
    logitsName = session.getOutputNames().iterator().next();
    this.height = height;
    this.width = width;
    this.maxBatch = Math.max(1, maxBatch);
  }

  private static ModelProto parse(byte[] onnx) {
    try {
      return ModelProto.parseFrom(onnx);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
  }

  /** Logits {@code [n][C]} of {@code n} images stored contiguously in {@code images}. */
  public float[][] logits(float[] images, int n) throws OrtException {
    int len = 3 * height * width;
    if (images.length < (long) n * len) {
      throw new IllegalArgumentException("images hold fewer than " + n + " images");
    }
    float[][] out = new float[n][];
    for (int start = 0; start < n; start += maxBatch) {
      int m = Math.min(maxBatch, n - start);
      FloatBuffer buf = FloatBuffer.wrap(images, start * len, m * len).slice();
      try (OnnxTensor x = OnnxTensor.createTensor(env, buf, new long[] {m, 3, height, width});
          OrtSession.Result r = scoring.run(Map.of(inputName, x), Set.of(logitsName))) {
        float[][] part = (float[][]) r.get(0).getValue();
        System.arraycopy(part, 0, out, start, m);
      }
    }
    return out;
  }

  /**
   * The logits and the tapped tensors of {@code n} images.
   *
   * @param logits {@code [n][C]}
   * @param tensors per tap, its values for the {@code n} images, contiguous {@code [n, ...]}
   * @param shapes per tap, its per-image shape (without the batch dimension)
   */
  public record Features(float[][] logits, Map<String, float[]> tensors, Map<String, long[]> shapes) {}

  /** The tapped tensors' names (empty for a plain classifier). */
  public List<String> taps() {
    return taps;
  }

  /** One forward pass giving the logits and every tapped tensor of {@code n} contiguous images. */
  public Features features(float[] images, int n) throws OrtException {
    int len = 3 * height * width;
    if (images.length < (long) n * len) {
      throw new IllegalArgumentException("images hold fewer than " + n + " images");
    }
    float[][] logits = new float[n][];
    Map<String, float[]> tensors = new java.util.LinkedHashMap<>();
    Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
    Set<String> wanted = new java.util.LinkedHashSet<>();
    wanted.add(logitsName);
    wanted.addAll(taps);
    for (int start = 0; start < n; start += maxBatch) {
      int m = Math.min(maxBatch, n - start);
      FloatBuffer buf = FloatBuffer.wrap(images, start * len, m * len).slice();
      try (OnnxTensor x = OnnxTensor.createTensor(env, buf, new long[] {m, 3, height, width});
          OrtSession.Result r = session.run(Map.of(inputName, x), wanted)) {
        float[][] part = (float[][]) r.get(logitsName).orElseThrow().getValue();
        System.arraycopy(part, 0, logits, start, m);
        for (String t : taps) {
          OnnxTensor v = (OnnxTensor) r.get(t).orElseThrow();
          long[] shape = v.getInfo().getShape();
          int per = (int) (v.getInfo().getNumElements() / m);
          float[] all = tensors.computeIfAbsent(t, k -> new float[n * per]);
          shapes.putIfAbsent(t, java.util.Arrays.copyOfRange(shape, 1, shape.length));
          v.getFloatBuffer().get(all, start * per, m * per);
        }
      }
    }
    return new Features(logits, tensors, shapes);
  }

  /** {@code log softmax(logits)[targets[i]]} of every image. */
  public double[] logProbabilities(float[] images, int n, int[] targets) throws OrtException {
    float[][] logits = logits(images, n);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = logSoftmax(logits[i], targets[i]);
    }
    return out;
  }

  /** Index of the largest logit of every image. */
  public int[] top1(float[] images, int n) throws OrtException {
    int[][] top = topK(images, n, 1);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = top[i][0];
    }
    return out;
  }

  /** The {@code k} classes with the largest logits of every image, best first (ties: lower index). */
  public int[][] topK(float[] images, int n, int k) throws OrtException {
    float[][] logits = logits(images, n);
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] = topK(logits[i], k);
    }
    return out;
  }

  /** The {@code k} indices of the largest values of {@code z}, best first (ties: lower index). */
  public static int[] topK(float[] z, int k) {
    int m = Math.min(k, z.length);
    int[] best = new int[m];
    boolean[] taken = new boolean[z.length];
    for (int r = 0; r < m; r++) {
      int arg = -1;
      for (int c = 0; c < z.length; c++) {
        if (!taken[c] && (arg < 0 || z[c] > z[arg])) {
          arg = c;
        }
      }
      taken[arg] = true;
      best[r] = arg;
    }
    return best;
  }

  /** Numerically stable {@code log softmax(z)[k]}. */
  public static double logSoftmax(float[] z, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v - max);
    }
    return z[k] - max - Math.log(sum);
  }

  @Override
  public void close() throws OrtException {
    if (scoring != session) {
      scoring.close();
    }
    session.close();
  }
}
