package io.maskserve.zoo.autodiff;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.optimize.PadFolding;
import io.maskserve.zoo.testing.SharedData;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Forward-only versus forward+backward latency (not a test; run {@code java -cp <model-zoo test
 * classpath> io.maskserve.zoo.autodiff.AutodiffBenchmark [iterations]}). For each model, batch size
 * and graph optimisation level (ALL, EXTENDED) it times, with the same session options and alternating
 * run by run so both see the same machine load, the original classifier (forward only) and the
 * augmented model (logits and input_grad). Asking the augmented session for the logits only does not
 * help: ONNX Runtime runs the whole graph. Median of the runs after warm-up; input random normal,
 * target 0.
 *
 * <p>The forward pass is timed twice: the classifier file as given, and with its zero Pads folded
 * into their convolutions ({@link PadFolding}), which is what maskserve's sessions run and what
 * the augmented model's forward part is. The fair ratio is against the folded forward.
 */
public final class AutodiffBenchmark {
  private AutodiffBenchmark() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    for (OrtSession.SessionOptions.OptLevel level : new OrtSession.SessionOptions.OptLevel[] {
        OrtSession.SessionOptions.OptLevel.ALL_OPT, OrtSession.SessionOptions.OptLevel.EXTENDED_OPT}) {
      System.out.println("graph optimisation level " + level);
      run(env, iterations, level);
    }
  }

  private static void run(OrtEnvironment env, int iterations, OrtSession.SessionOptions.OptLevel level) throws Exception {
    System.out.printf(Locale.ROOT, "%-14s %5s %12s %12s %14s %16s %16s%n", "model", "batch", "original ms",
        "folded ms", "fwd+bwd ms", "ratio (folded)", "ratio (original)");
    Path root = SharedData.root();
    for (String name : new String[] {"resnet20-cifar10", "mobilenet_v2-imagenet"}) {
      ModelProto model = ModelProto.parseFrom(Files.readAllBytes(root.resolve("models").resolve(name).resolve("model.onnx")));
      ModelProto aug = Autodiff.augment(model, AutodiffOptions.logit());
      ModelProto folded = PadFolding.fold(model, List.of()).model();
      int side = name.startsWith("resnet") ? 32 : 224;
      for (int batch : new int[] {1, 32}) {
        int iters = side == 224 && batch == 32 ? Math.max(3, iterations / 5) : iterations;
        try (OrtSession.SessionOptions so = options(level);
            OrtSession orig = env.createSession(model.toByteArray(), so);
            OrtSession fold = env.createSession(folded.toByteArray(), so);
            OrtSession augmented = env.createSession(aug.toByteArray(), so)) {
          float[] x = new float[batch * 3 * side * side];
          Random rnd = new Random(1);
          for (int k = 0; k < x.length; k++) {
            x[k] = (float) rnd.nextGaussian();
          }
          long[] target = new long[batch];
          try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, side, side});
              OnnxTensor tt = OnnxTensor.createTensor(env, LongBuffer.wrap(target), new long[] {batch})) {
            String in = model.getGraph().getInput(0).getName();
            double[] t = time(iters, () -> orig.run(Map.of(in, xt)).close(), () -> fold.run(Map.of(in, xt)).close(),
                () -> augmented.run(Map.of(in, xt, Autodiff.TARGET, tt), Set.of("logits", Autodiff.INPUT_GRAD)).close());
            System.out.printf(Locale.ROOT, "%-14s %5d %12.2f %12.2f %14.2f %15.2fx %15.2fx%n", name.split("-")[0], batch,
                t[0], t[1], t[2], t[2] / t[1], t[2] / t[0]);
          }
        }
      }
    }
  }

  private static OrtSession.SessionOptions options(OrtSession.SessionOptions.OptLevel level) throws OrtException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setOptimizationLevel(level);
    so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
    return so;
  }

  interface Run {
    void run() throws OrtException;
  }

  /** Medians of the runs' times, run in turn so that all see the same machine load. */
  private static double[] time(int iterations, Run... runs) throws OrtException {
    for (int k = 0; k < Math.max(2, iterations / 4); k++) {
      for (Run r : runs) {
        r.run();
      }
    }
    double[][] ms = new double[runs.length][iterations];
    for (int k = 0; k < iterations; k++) {
      for (int i = 0; i < runs.length; i++) {
        long t0 = System.nanoTime();
        runs[i].run();
        ms[i][k] = (System.nanoTime() - t0) / 1e6;
      }
    }
    double[] med = new double[runs.length];
    for (int i = 0; i < runs.length; i++) {
      Arrays.sort(ms[i]);
      med[i] = ms[i][iterations / 2];
    }
    return med;
  }
}
