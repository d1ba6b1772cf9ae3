package io.maskserve.zoo.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Checks one op's vector-Jacobian rule against central finite differences run in ONNX Runtime: the
 * op graph {@code y = op(x)} gets the score {@code logits = sum(w * y)} (random w), which is augmented
 * and its input_grad compared element by element with the finite differences of the score. Runs in
 * float64 when ONNX Runtime implements every op for doubles (eps 1e-6, tolerance 1e-6), else in
 * float32 (eps 1e-3, tolerance 1e-2: float32 rounding over the step dominates).
 */
final class OpGradientHarness {
  static final double TOL_F64 = 1e-6;
  static final double TOL_F32 = 1e-2;

  private OpGradientHarness() {}

  /** Builds the op graph from input {@code x}; returns the tested output. */
  interface OpGraph extends BiFunction<OnnxGraphBuilder, String, String> {}

  /** Runs the check; returns the relative error (max abs difference over max abs gradient). */
  static double check(String label, long[] shape, double lo, double hi, long seed, OpGraph graph) throws OrtException {
    try {
      return check(label, shape, lo, hi, seed, graph, true);
    } catch (OrtException e) {
      String m = String.valueOf(e.getMessage());
      if (!m.contains("NOT_IMPLEMENTED") && !m.contains("implementation") && !m.contains("Type Error")
          && !m.contains("type")) {
        throw new AssertionError(label + ": " + m, e);
      }
      return check(label, shape, lo, hi, seed, graph, false);
    }
  }

  static double check(String label, long[] shape, double lo, double hi, long seed, OpGraph graph, boolean f64)
      throws OrtException {
    Random rnd = new Random(seed);
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] x = new double[n];
    for (int k = 0; k < n; k++) {
      x[k] = lo + (hi - lo) * rnd.nextDouble();
    }
    Object[] dims = Arrays.stream(shape).boxed().toArray();
    OnnxGraphBuilder b = new OnnxGraphBuilder("op");
    String in = b.floatInput("x", dims);
    String y = graph.apply(b, in);
    // the output's shape, from a forward run
    ModelProto probe = withOutputs(retype(b.buildModel(8, 17), f64), List.of(y), f64);
    long[] yShape;
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      yShape = outputShape(probe, so, x, shape, f64);
    }
    int m = (int) Arrays.stream(yShape).reduce(1, (a, c) -> a * c);
    float[] w = new float[m];
    for (int k = 0; k < m; k++) {
      w[k] = (float) rnd.nextGaussian();
    }
    String weighted = b.node("Mul", List.of(y, b.floatInitializer("score_w", w, yShape)));
    String total = b.node("ReduceSum", List.of(weighted), OnnxGraphBuilder.intAttr("keepdims", 0));
    b.nodeTo("Reshape", List.of(total, b.int64Initializer("score_shape", new long[] {1, 1}, 2)), "logits");
    ModelProto model = withOutputs(retype(b.buildModel(8, 17), f64), List.of("logits"), f64);
    ModelProto aug = Autodiff.augment(model, AutodiffOptions.logit());
    double eps = f64 ? 1e-6 : 1e-3;
    long[] target = {0};
    double maxDiff = 0;
    double maxGrad = 0;
    try (GradCheck gc = new GradCheck(aug, shape, f64, AutodiffOptions.Score.LOGIT)) {
      double[] grad = gc.run(x, target).grad();
      for (int k = 0; k < n; k++) {
        double[] xp = x.clone();
        double[] xm = x.clone();
        xp[k] += eps;
        xm[k] -= eps;
        double fd = (gc.run(xp, target).score() - gc.run(xm, target).score()) / (2 * eps);
        maxDiff = Math.max(maxDiff, Math.abs(fd - grad[k]));
        maxGrad = Math.max(maxGrad, Math.abs(fd));
      }
    }
    double rel = maxDiff / Math.max(maxGrad, 1e-3);
    double tol = f64 ? TOL_F64 : TOL_F32;
    double folding = compareFoldings(label, model, shape, f64, x, target, Math.max(maxGrad, 1e-3));
    System.out.printf(Locale.ROOT, "vjp %-40s %s x%s -> %s: rel error %.2e (folded vs dynamic %.1e)%n", label,
        f64 ? "f64" : "f32", Arrays.toString(shape), Arrays.toString(yShape), rel, folding);
    assertTrue(rel < tol, label + ": relative error " + rel + " >= " + tol + (f64 ? " (float64)" : " (float32)"));
    return rel;
  }

  /**
   * The gradient must not depend on how shapes are handled: the model as given (fixed input shape:
   * every backward shape folded to a constant), with the batch dimension made symbolic (shapes
   * folded with N left dynamic, probed at N = 1 and 3) and without folding (all shapes in-graph)
   * agree to rounding. Returns the largest difference relative to {@code scale}.
   */
  static double compareFoldings(String label, ModelProto model, long[] shape, boolean f64, double[] x, long[] target,
      double scale) throws OrtException {
    ModelProto batchParam = withBatchParam(model);
    List<ModelProto> variants = List.of(Autodiff.augment(model, AutodiffOptions.logit(), true),
        Autodiff.augment(model, AutodiffOptions.logit(), false), Autodiff.augment(batchParam, AutodiffOptions.logit(), true));
    double[] ref = null;
    double worst = 0;
    for (ModelProto m : variants) {
      try (GradCheck gc = new GradCheck(m, shape, f64, AutodiffOptions.Score.LOGIT)) {
        double[] g = gc.run(x, target).grad();
        if (ref == null) {
          ref = g;
          continue;
        }
        for (int k = 0; k < g.length; k++) {
          worst = Math.max(worst, Math.abs(g[k] - ref[k]) / scale);
        }
      }
    }
    double tol = f64 ? 1e-10 : 1e-5;
    assertTrue(worst < tol, label + ": folded and dynamic gradients differ by " + worst);
    return worst;
  }

  /** The model with its input's first dimension symbolic ("N"). */
  static ModelProto withBatchParam(ModelProto model) {
    GraphProto.Builder g = model.getGraph().toBuilder();
    ValueInfoProto.Builder vi = g.getInputBuilder(0);
    vi.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(0).clearDimValue().setDimParam("N");
    return model.toBuilder().setGraph(g).build();
  }

  private static long[] outputShape(ModelProto probe, OrtSession.SessionOptions so, double[] x, long[] shape,
      boolean f64) throws OrtException {
    try (OrtSession s = GradCheck.ENV.createSession(probe.toByteArray(), so);
        OnnxTensor t = GradCheck.tensor(x, shape, f64);
        OrtSession.Result r = s.run(Map.of("x", t))) {
      return ((OnnxTensor) r.get(0)).getInfo().getShape();
    }
  }

  /** Converts the input and every float initializer to float64 when asked. */
  static ModelProto retype(ModelProto model, boolean f64) {
    if (!f64) {
      return model;
    }
    GraphProto.Builder g = model.getGraph().toBuilder();
    for (int k = 0; k < g.getInputCount(); k++) {
      ValueInfoProto.Builder vi = g.getInputBuilder(k);
      vi.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.DOUBLE.getNumber());
    }
    for (int k = 0; k < g.getInitializerCount(); k++) {
      TensorProto t = g.getInitializer(k);
      if (t.getDataType() == TensorProto.DataType.FLOAT.getNumber()) {
        TensorProto.Builder d = t.toBuilder().clearFloatData().setDataType(TensorProto.DataType.DOUBLE.getNumber());
        for (float v : t.getFloatDataList()) {
          d.addDoubleData(v);
        }
        g.setInitializer(k, d);
      }
    }
    return model.toBuilder().setGraph(g).build();
  }

  /** Replaces the graph outputs by these names (element type of the input, shape unknown). */
  static ModelProto withOutputs(ModelProto model, List<String> names, boolean f64) {
    GraphProto.Builder g = model.getGraph().toBuilder().clearOutput();
    for (String name : names) {
      g.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
          TypeProto.Tensor.newBuilder().setElemType(GradCheck.elemType(f64)))));
    }
    return model.toBuilder().setGraph(g).build();
  }

  /** Random float values in [lo, hi). */
  static float[] uniform(Random rnd, int n, double lo, double hi) {
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = (float) (lo + (hi - lo) * rnd.nextDouble());
    }
    return v;
  }
}
