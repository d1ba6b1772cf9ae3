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
import io.maskserve.zoo.onnx.FeatureTaps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * is rejected at registration rather than on a request. Given the classifier's file, a generator
 * may also read classifier tensors: an input named like a tensor the classifier's graph computes is
 * fed that tensor (at most {@value FeatureTaps#MAX_TAPS}, float, batch first), and the image input
 * becomes optional. Any other extra input is rejected.
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
    return validateGenerator(onnx, classifier, null);
  }

  /**
   * Validates a generator; with {@code classifierOnnx} it may also read classifier tensors: its
   * inputs are then sorted by name into the class input {@value GeneratorSpec#TARGET_INPUT}, the
   * classifier's tensors (fed from a validation run of the classifier with those tensors exposed,
   * see {@link FeatureTaps}) and at most one image input {@code [N,3,H,W]}.
   */
  @Override
  public GeneratorShape validateGenerator(Path onnx, ModelManifest classifier, Path classifierOnnx) {
    Objects.requireNonNull(onnx, "onnx");
    Objects.requireNonNull(classifier, "classifier");
    InputSpec input = classifier.input();
    int h = input.height();
    int w = input.width();
    int numClasses = classifier.numClasses();
    OnnxStructureCheck.check(onnx, "generator", model -> { });
    try (OrtSession.SessionOptions options = options();
        OrtSession session = env.createSession(onnx.toString(), options)) {
      // Parsed once: its tensor names sort the inputs, and it is run to feed the feature inputs.
      ModelProto classifierModel = classifierOnnx == null ? null : classifier(classifierOnnx);
      InputChecks.GeneratorInputs inputs = classifierModel == null
          ? InputChecks.generatorInputs(session, input)
          : InputChecks.generatorInputs(session, input, FeatureTaps.readableTensors(classifierModel));
      TensorInfo out = singleFloatOutput(session, "generator");
      long[] declared = out.getShape();
      if (declared.length != 4 && !allUnknown(declared)) {
        throw invalid("generator output must be [N,1,H',W'] (rank 4), but it is declared as " + shape(declared));
      }
      float[] values;
      long[] actual;
      try (GeneratorRun run = runGenerator(session, inputs, h, w, numClasses, classifierModel)) {
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
      log.debug("generator {} valid for {}: output {}x{}, class-conditional {}, features {}", onnx, classifier.key(),
          oh, ow, conditional, inputs.features());
      return new GeneratorShape((int) oh, (int) ow, conditional, inputs.features(), inputs.image().isPresent());
    } catch (OrtException e) {
      throw invalid("ONNX Runtime rejected the generator: " + e.getMessage(), e);
    }
  }

  /** The published classifier's graph (its tensors are the candidates for feature inputs). */
  private static ModelProto classifier(Path onnx) {
    try {
      return ModelProto.parseFrom(java.nio.file.Files.readAllBytes(onnx));
    } catch (java.io.IOException e) {
      throw new ZooException(ZooException.Reason.INTERNAL, "cannot read the classifier " + onnx + ": "
          + e.getMessage(), e);
    }
  }

  /** The result of a generator's validation run and the input tensors it was computed from. */
  private record GeneratorRun(OrtSession.Result result, List<OnnxTensor> inputs) implements AutoCloseable {
    @Override
    public void close() {
      result.close();
      inputs.forEach(OnnxTensor::close);
    }
  }

  /**
   * Runs the generator on a fixed-seed standard normal batch of {@value #BATCH} (its image input,
   * and the classifier run on that batch for its feature inputs) and, when it is class-conditional,
   * the targets {@code {0, numClasses-1}}.
   */
  private GeneratorRun runGenerator(OrtSession session, InputChecks.GeneratorInputs inputs, int h, int w,
      int numClasses, ModelProto classifierModel) throws OrtException {
    float[] noise = new float[BATCH * 3 * h * w];
    Random random = new Random(VALIDATION_SEED);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    long[] imageShape = {BATCH, 3, h, w};
    List<OnnxTensor> tensors = new ArrayList<>();
    try {
      Map<String, OnnxTensor> feed = new HashMap<>();
      if (inputs.image().isPresent()) {
        OnnxTensor image = OnnxTensor.createTensor(env, FloatBuffer.wrap(noise), imageShape);
        tensors.add(image);
        feed.put(inputs.image().get(), image);
      }
      if (!inputs.features().isEmpty()) {
        Map<String, float[]> values = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        classifierFeatures(classifierModel, inputs.features(), noise, imageShape, values, shapes);
        for (String f : inputs.features()) {
          OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(values.get(f)), shapes.get(f));
          tensors.add(t);
          feed.put(f, t);
        }
      }
      if (inputs.target().isEmpty()) {
        try {
          return new GeneratorRun(session.run(feed), tensors);
        } catch (OrtException e) {
          if (inputs.features().isEmpty()) {
            throw e;
          }
          throw invalid("ONNX Runtime failed to run the generator on the classifier's tensors "
              + inputs.features() + " (their shapes must match the generator's inputs): " + e.getMessage(), e);
        }
      }
      long[] targets = {0, numClasses - 1};
      OnnxTensor target = OnnxTensor.createTensor(env, LongBuffer.wrap(targets), new long[] {BATCH});
      tensors.add(target);
      feed.put(inputs.target().get(), target);
      try {
        return new GeneratorRun(session.run(feed), tensors);
      } catch (OrtException e) {
        // Most likely a class index the generator cannot take (Gather out of range): say which.
        throw invalid("ONNX Runtime failed to run the class-conditional generator on the targets "
            + Arrays.toString(targets) + " (it must accept every class 0.." + (numClasses - 1)
            + " of the classifier): " + e.getMessage(), e);
      }
    } catch (OrtException | RuntimeException e) {
      tensors.forEach(OnnxTensor::close);
      throw e;
    }
  }

  /**
   * Runs the classifier, with {@code features} exposed as outputs, on {@code batch}; each feature
   * must be a float tensor whose first dimension is the batch.
   */
  private void classifierFeatures(ModelProto classifier, List<String> features, float[] batch, long[] shape,
      Map<String, float[]> values, Map<String, long[]> shapes) throws OrtException {
    byte[] tapped;
    try {
      tapped = FeatureTaps.withOutputs(classifier, features).toByteArray();
    } catch (IllegalArgumentException e) {
      // e.g. the gradient tap of a classifier with an op autodiff has no rule for
      throw invalid(e.getMessage(), e);
    }
    try (OrtSession.SessionOptions options = options();
        OrtSession classifierSession = env.createSession(tapped, options);
        OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), shape);
        OrtSession.Result r = classifierSession.run(
            Map.of(classifierSession.getInputNames().iterator().next(), x), new java.util.HashSet<>(features))) {
      for (String f : features) {
        OnnxValue v = r.get(f).orElseThrow();
        if (!(v instanceof OnnxTensor t) || t.getInfo().type != OnnxJavaType.FLOAT) {
          throw invalid("classifier tensor '" + f + "' is not a float32 tensor: " + v.getInfo());
        }
        long[] s = t.getInfo().getShape();
        if (s.length < 1 || s[0] != BATCH) {
          throw invalid("classifier tensor '" + f + "' has shape " + shape(s) + " for a batch of " + BATCH
              + "; a generator can read only tensors whose first dimension is the batch");
        }
        values.put(f, floatOutput(t, "classifier tensor '" + f + "'"));
        shapes.put(f, s);
      }
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
