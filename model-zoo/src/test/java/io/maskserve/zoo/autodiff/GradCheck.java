package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Runs augmented models in ONNX Runtime and compares the directional derivative {@code <input_grad, v>}
 * with the central finite difference {@code (f(x + eps v) - f(x - eps v)) / 2 eps} of the score
 * computed from the same session's forward outputs.
 */
final class GradCheck implements AutoCloseable {
  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  final OrtSession session;
  final String inputName;
  final String logitsName;
  final long[] shape;
  final boolean f64;
  final AutodiffOptions.Score score;

  GradCheck(ModelProto augmented, long[] shape, boolean f64, AutodiffOptions.Score score) throws OrtException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(2);
    so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
    this.session = ENV.createSession(augmented.toByteArray(), so);
    this.inputName = augmented.getGraph().getInput(0).getName();
    this.logitsName = augmented.getGraph().getOutput(0).getName();
    this.shape = shape;
    this.f64 = f64;
    this.score = score;
  }

  /** Result of one run: the total score over the batch and the input gradient. */
  record Run(double score, double[] grad, Map<String, double[]> outputs) {}

  Run run(double[] x, long[] target) throws OrtException {
    Map<String, OnnxTensor> in = new HashMap<>();
    try {
      in.put(inputName, tensor(x, shape, f64));
      in.put(Autodiff.TARGET, OnnxTensor.createTensor(ENV, LongBuffer.wrap(target), new long[] {target.length}));
      try (OrtSession.Result r = session.run(in)) {
        Map<String, double[]> outs = new HashMap<>();
        for (Map.Entry<String, OnnxValue> e : r) {
          outs.put(e.getKey(), values((OnnxTensor) e.getValue()));
        }
        double[] logits = outs.get(logitsName);
        int classes = logits.length / target.length;
        double total = 0;
        for (int n = 0; n < target.length; n++) {
          double s = logits[n * classes + (int) target[n]];
          if (score == AutodiffOptions.Score.LOG_SOFTMAX) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
              max = Math.max(max, logits[n * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
              sum += Math.exp(logits[n * classes + c] - max);
            }
            s -= max + Math.log(sum);
          }
          total += s;
        }
        return new Run(total, outs.get(Autodiff.INPUT_GRAD), outs);
      }
    } finally {
      for (OnnxTensor t : in.values()) {
        t.close();
      }
    }
  }

  /** Relative error |fd - ad| / max(|fd|, |ad|, floor) along direction v. */
  record Directional(double fd, double ad, double relError) {}

  Directional directional(double[] x, long[] target, double[] v, double eps, double floor) throws OrtException {
    Run base = run(x, target);
    double ad = 0;
    for (int k = 0; k < x.length; k++) {
      ad += base.grad()[k] * v[k];
    }
    double[] xp = x.clone();
    double[] xm = x.clone();
    for (int k = 0; k < x.length; k++) {
      xp[k] += eps * v[k];
      xm[k] -= eps * v[k];
    }
    double fd = (run(xp, target).score() - run(xm, target).score()) / (2 * eps);
    double rel = Math.abs(fd - ad) / Math.max(Math.max(Math.abs(fd), Math.abs(ad)), floor);
    return new Directional(fd, ad, rel);
  }

  /** {@code v} scaled to unit Euclidean norm. */
  static double[] unit(double[] v) {
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    double[] u = new double[v.length];
    for (int k = 0; k < v.length; k++) {
      u[k] = norm == 0 ? 0 : v[k] / norm;
    }
    return u;
  }

  /** The unit vector along {@code a + b}. */
  static double[] mix(double[] a, double[] b) {
    double[] s = new double[a.length];
    for (int k = 0; k < a.length; k++) {
      s[k] = a[k] + b[k];
    }
    return unit(s);
  }

  /** A random direction of unit Euclidean norm. */
  static double[] gaussian(Random rnd, int n) {
    double[] v = new double[n];
    double norm = 0;
    for (int k = 0; k < n; k++) {
      v[k] = rnd.nextGaussian();
      norm += v[k] * v[k];
    }
    norm = Math.sqrt(norm);
    for (int k = 0; k < n; k++) {
      v[k] /= norm;
    }
    return v;
  }

  static OnnxTensor tensor(double[] x, long[] shape, boolean f64) throws OrtException {
    if (f64) {
      return OnnxTensor.createTensor(ENV, DoubleBuffer.wrap(x), shape);
    }
    float[] f = new float[x.length];
    for (int k = 0; k < x.length; k++) {
      f[k] = (float) x[k];
    }
    return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(f), shape);
  }

  static double[] values(OnnxTensor t) {
    if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.DOUBLE) {
      DoubleBuffer b = t.getDoubleBuffer();
      double[] d = new double[b.remaining()];
      b.get(d);
      return d;
    }
    if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
      FloatBuffer b = t.getFloatBuffer();
      double[] d = new double[b.remaining()];
      for (int k = 0; k < d.length; k++) {
        d[k] = b.get(k);
      }
      return d;
    }
    if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.INT64) {
      LongBuffer b = t.getLongBuffer();
      double[] d = new double[b.remaining()];
      for (int k = 0; k < d.length; k++) {
        d[k] = b.get(k);
      }
      return d;
    }
    return new double[0];
  }

  static int elemType(boolean f64) {
    return (f64 ? TensorProto.DataType.DOUBLE : TensorProto.DataType.FLOAT).getNumber();
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
