package io.maskserve.zoo.validation;

import static io.maskserve.zoo.validation.InputChecks.shape;
import static io.maskserve.zoo.validation.OnnxStructureCheck.invalid;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorShape;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelValidator;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.autodiff.UnsupportedOpException;
import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates classifiers and generators with the ONNX protobuf and ONNX Runtime.
 *
 * <p>Before ONNX Runtime loads the file it is parsed as an {@code OnnxMl.ModelProto} and rejected if
 * it does not parse, has no graph, imports or uses a custom operator domain (only {@code ""},
 * {@code ai.onnx}, {@code ai.onnx.ml}), defines model-local functions, keeps any tensor in
 * external data, or carries more than {@link #MAX_METADATA_BYTES} of metadata (doc strings,
 * {@code metadata_props}). A classifier must also be differentiable by {@link Autodiff} (every op
 * on the input's gradient path has a rule), so an unsupported op fails registration, naming the op
 * and the node. Then it is loaded (CPU, one thread) and checked: exactly one float input of shape
 * {@code [N,3,H,W]} with a dynamic batch N and H, W as registered (dynamic H/W accepted), exactly one
 * float output; the model is actually run on a batch of 2 (zeros for a classifier, a fixed-seed
 * standard normal tensor for a generator) and the outputs are checked: classifier {@code [2,C]} with
 * C = number of labels, all finite; generator {@code [2,1,H',W']} with H divisible by H' and W by
 * W', all values in [0,1] (tolerance {@value #RANGE_TOLERANCE}).
 *
 * <p>A generator may have a second input: the int64 {@value GeneratorSpec#TARGET_INPUT} {@code [N]}
 * (exactly that name, rank 1, dynamic batch), which makes it class-conditional. Its validation run
 * feeds the targets {@code {0, C-1}}, the extreme class indices, so a generator that cannot handle
 * every class of the classifier (e.g. an embedding table with fewer rows, which makes Gather fail)
 * is rejected at registration rather than on a request. Any other extra input is rejected.
 *
 * <p>Every failure is a {@link ZooException} with reason INVALID_ARGUMENT and a message naming the
 * problem; ONNX Runtime errors carry ONNX Runtime's message. Thread-safe: each call uses its own
 * session, closed before returning.
 */
public final class OnnxModelValidator implements ModelValidator {

  /**
   * Most bytes of free text a model may carry: its doc strings (model, graphs, nodes, attributes),
   * producer name and version, domain and {@code metadata_props} keys and values, together. 1 MiB.
   */
  public static final long MAX_METADATA_BYTES = 1L << 20;

  /** How far outside [0,1] a generator output may stray (float rounding). */
  public static final double RANGE_TOLERANCE = 1e-6;

  private static final Logger log = LoggerFactory.getLogger(OnnxModelValidator.class);
  private static final long VALIDATION_SEED = 0x6d61736bL;
  private static final int BATCH = 2;

  private final OrtEnvironment env;

  /**
   * @param env the ONNX Runtime environment sessions are created in (not closed by the validator)
   */
  public OnnxModelValidator(OrtEnvironment env) {
    this.env = Objects.requireNonNull(env, "env");
  }

  @Override
  public void validateClassifier(Path onnx, ClassifierRegistration registration) {
    Objects.requireNonNull(onnx, "onnx");
    Objects.requireNonNull(registration, "registration");
    InputSpec input = Objects.requireNonNull(registration.input(), "registration.input");
    int numClasses = registration.labels().size();
    OnnxStructureCheck.check(onnx, "classifier", OnnxModelValidator::checkDifferentiable);
    try (OrtSession.SessionOptions options = options();
        OrtSession session = env.createSession(onnx.toString(), options)) {
      String inputName = InputChecks.singleInput(session, input, "classifier");
      TensorInfo out = singleFloatOutput(session, "classifier");
      long[] declared = out.getShape();
      if (declared.length != 2 && !allUnknown(declared)) {
        throw invalid("classifier output must be [N,C] (rank 2), but it is declared as " + shape(declared));
      }
      if (declared.length == 2 && declared[1] > 0 && declared[1] != numClasses) {
        throw invalid("classifier output has " + declared[1] + " classes but " + numClasses
            + " labels were given; the number of labels must equal the output width");
      }
      float[] zeros = new float[BATCH * 3 * input.height() * input.width()];
      long[] inShape = {BATCH, 3, input.height(), input.width()};
      try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(zeros), inShape);
          OrtSession.Result result = session.run(Map.of(inputName, x))) {
        float[] values = floatOutput(result.get(0), "classifier");
        long[] actual = ((OnnxTensor) result.get(0)).getInfo().getShape();
        if (actual.length != 2 || actual[0] != BATCH) {
          throw invalid("classifier output for a batch of " + BATCH + " has shape " + shape(actual)
              + "; expected [" + BATCH + "," + numClasses + "]");
        }
        if (actual[1] != numClasses) {
          throw invalid("classifier output has " + actual[1] + " classes but " + numClasses
              + " labels were given; the number of labels must equal the output width");
        }
        requireFinite(values, "classifier output");
      }
      log.debug("classifier {} valid: input {} -> [N,{}]", onnx, input, numClasses);
    } catch (OrtException e) {
      throw invalid("ONNX Runtime rejected the classifier: " + e.getMessage(), e);
    }
  }

  /**
   * Fails registration, rather than a later request, when maskserve cannot build the classifier's
   * input gradient (training and the gradient baselines need it).
   */
  private static void checkDifferentiable(ModelProto classifier) {
    try {
      Autodiff.check(classifier);
    } catch (UnsupportedOpException | IllegalArgumentException e) {
      throw invalid("maskserve cannot differentiate this classifier (it needs the input gradients): "
          + e.getMessage(), e);
    }
  }

  @Override
  public GeneratorShape validateGenerator(Path onnx, ModelManifest classifier) {
    Objects.requireNonNull(onnx, "onnx");
    Objects.requireNonNull(classifier, "classifier");
    InputSpec input = classifier.input();
    int h = input.height();
    int w = input.width();
    int numClasses = classifier.numClasses();
    OnnxStructureCheck.check(onnx, "generator", model -> { });
    try (OrtSession.SessionOptions options = options();
        OrtSession session = env.createSession(onnx.toString(), options)) {
      InputChecks.GeneratorInputs inputs = InputChecks.generatorInputs(session, input);
      TensorInfo out = singleFloatOutput(session, "generator");
      long[] declared = out.getShape();
      if (declared.length != 4 && !allUnknown(declared)) {
        throw invalid("generator output must be [N,1,H',W'] (rank 4), but it is declared as " + shape(declared));
      }
      float[] values;
      long[] actual;
      try (GeneratorRun run = runGenerator(session, inputs, h, w, numClasses)) {
        values = floatOutput(run.result().get(0), "generator");
        actual = ((OnnxTensor) run.result().get(0)).getInfo().getShape();
      }
      if (actual.length != 4 || actual[0] != BATCH || actual[1] != 1) {
        throw invalid("generator output for a batch of " + BATCH + " has shape " + shape(actual)
            + "; expected [" + BATCH + ",1,H',W']");
      }
      long oh = actual[2];
      long ow = actual[3];
      if (oh < 1 || ow < 1 || oh > h || ow > w || h % oh != 0 || w % ow != 0) {
        throw invalid("generator output map is " + oh + "x" + ow + ", which does not evenly divide the input "
            + h + "x" + w + " (H must be divisible by H' and W by W')");
      }
      for (int i = 0; i < values.length; i++) {
        float v = values[i];
        if (!Float.isFinite(v)) {
          throw invalid("generator output contains " + v + " (at flat index " + i + ")");
        }
        if (v < -RANGE_TOLERANCE || v > 1 + RANGE_TOLERANCE) {
          throw invalid("generator output value " + v + " (at flat index " + i
              + ") is outside [0,1]; a generator outputs keep probabilities (end it with a Sigmoid)");
        }
      }
      boolean conditional = inputs.target().isPresent();
      log.debug("generator {} valid for {}: output {}x{}, class-conditional {}", onnx, classifier.key(), oh, ow,
          conditional);
      return new GeneratorShape((int) oh, (int) ow, conditional);
    } catch (OrtException e) {
      throw invalid("ONNX Runtime rejected the generator: " + e.getMessage(), e);
    }
  }

  /** The result of a generator's validation run and the input tensors it was computed from. */
  private record GeneratorRun(OrtSession.Result result, OnnxTensor image, OnnxTensor target)
      implements AutoCloseable {
    @Override
    public void close() {
      result.close();
      image.close();
      if (target != null) {
        target.close();
      }
    }
  }

  /**
   * Runs the generator on a fixed-seed standard normal batch of {@value #BATCH} and, when it is
   * class-conditional, the targets {@code {0, numClasses-1}}.
   */
  private GeneratorRun runGenerator(OrtSession session, InputChecks.GeneratorInputs inputs, int h, int w, int numClasses)
      throws OrtException {
    float[] noise = new float[BATCH * 3 * h * w];
    Random random = new Random(VALIDATION_SEED);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    OnnxTensor image = OnnxTensor.createTensor(env, FloatBuffer.wrap(noise), new long[] {BATCH, 3, h, w});
    OnnxTensor target = null;
    try {
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put(inputs.image(), image);
      if (inputs.target().isEmpty()) {
        return new GeneratorRun(session.run(feed), image, null);
      }
      long[] targets = {0, numClasses - 1};
      target = OnnxTensor.createTensor(env, LongBuffer.wrap(targets), new long[] {BATCH});
      feed.put(inputs.target().get(), target);
      try {
        return new GeneratorRun(session.run(feed), image, target);
      } catch (OrtException e) {
        // Most likely a class index the generator cannot take (Gather out of range): say which.
        throw invalid("ONNX Runtime failed to run the class-conditional generator on the targets "
            + Arrays.toString(targets) + " (it must accept every class 0.." + (numClasses - 1)
            + " of the classifier): " + e.getMessage(), e);
      }
    } catch (OrtException | RuntimeException e) {
      image.close();
      if (target != null) {
        target.close();
      }
      throw e;
    }
  }

  private static OrtSession.SessionOptions options() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  private static TensorInfo singleFloatOutput(OrtSession session, String what) throws OrtException {
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    if (outputs.size() != 1) {
      throw invalid(what + " must have exactly one output, but it has " + outputs.size() + ": " + outputs.keySet());
    }
    NodeInfo node = outputs.values().iterator().next();
    if (!(node.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
      throw invalid(what + " output '" + node.getName() + "' must be a float32 tensor, but it is " + node.getInfo());
    }
    return info;
  }

  private static float[] floatOutput(OnnxValue value, String what) {
    if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
      throw invalid(what + " output is not a float32 tensor: " + value.getInfo());
    }
    FloatBuffer buf = tensor.getFloatBuffer();
    float[] values = new float[buf.remaining()];
    buf.get(values);
    return values;
  }

  private static void requireFinite(float[] values, String what) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw invalid(what + " contains " + values[i] + " (at flat index " + i + ") for an all-zeros input");
      }
    }
  }

  private static boolean allUnknown(long[] dims) {
    return dims.length == 0;
  }

  @Override
  public String toString() {
    return "OnnxModelValidator[cpu, 1 thread]";
  }
}
