package io.maskserve.zoo.validation;

import static io.maskserve.zoo.validation.OnnxStructureCheck.invalid;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.InputSpec;
import java.util.Iterator;
import java.util.Map;
import java.util.List;
import java.util.Optional;

/**
 * Checks the declared inputs of a classifier or generator session against the registration, before
 * the model is run: each failure is a {@link io.maskserve.zoo.ZooException} INVALID_ARGUMENT naming
 * the input and what is wrong with it.
 */
final class InputChecks {

  /** A generator's inputs: the image, and the class input when it is class-conditional. */
  record GeneratorInputs(Optional<String> image, Optional<String> target, List<String> features) {
    GeneratorInputs(String image, Optional<String> target) {
      this(Optional.of(image), target, List.of());
    }
  }

  private InputChecks() {}

  /** Checks the single input against the registration and returns its name. */
  static String singleInput(OrtSession session, InputSpec input, String what) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    if (inputs.size() != 1) {
      throw invalid(what + " must have exactly one input [N,3,H,W], but it has " + inputs.size() + ": "
          + inputs.keySet());
    }
    return checkImage(inputs.values().iterator().next(), input, what);
  }

  /**
   * Checks a generator's inputs: the image, plus optionally the int64 {@value
   * GeneratorSpec#TARGET_INPUT} {@code [N]} of a class-conditional generator, and nothing else.
   */
  static GeneratorInputs generatorInputs(OrtSession session, InputSpec input) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    if (inputs.size() == 1) {
      return new GeneratorInputs(checkImage(inputs.values().iterator().next(), input, "generator"),
          Optional.empty());
    }
    String target = GeneratorSpec.TARGET_INPUT;
    if (inputs.size() != 2) {
      throw invalid("generator must have one input [N,3,H,W], plus an int64 input '" + target
          + "' [N] if it is class-conditional, but it has " + inputs.size() + " inputs: " + inputs.keySet());
    }
    NodeInfo targetNode = inputs.get(target);
    if (targetNode == null) {
      throw invalid("generator has two inputs " + inputs.keySet() + " but none is named '" + target
          + "': a class-conditional generator takes the image [N,3,H,W] and an int64 input named exactly '"
          + target + "' [N] (the class to explain per row)");
    }
    checkTarget(targetNode);
    Iterator<NodeInfo> it = inputs.values().iterator();
    NodeInfo image = it.next();
    if (image == targetNode) {
      image = it.next();
    }
    return new GeneratorInputs(checkImage(image, input, "generator"), Optional.of(target));
  }

  /**
   * Checks the inputs of a generator that may read classifier tensors: {@value
   * GeneratorSpec#TARGET_INPUT} is the class input, an input named like one of {@code
   * classifierTensors} reads that tensor, and what remains must be a single image input {@code
   * [N,3,H,W]}. At least the image or one tensor must be read.
   */
  static GeneratorInputs generatorInputs(OrtSession session, InputSpec input, java.util.Set<String> classifierTensors)
      throws OrtException {
    Optional<String> image = Optional.empty();
    Optional<String> target = Optional.empty();
    List<String> features = new java.util.ArrayList<>();
    for (NodeInfo node : session.getInputInfo().values()) {
      String name = node.getName();
      if (name.equals(GeneratorSpec.TARGET_INPUT)) {
        checkTarget(node);
        target = Optional.of(name);
      } else if (classifierTensors.contains(name)) {
        if (!(node.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
          throw invalid("generator input '" + name + "' reads the classifier tensor of that name and must be a "
              + "float32 tensor, but it is " + node.getInfo());
        }
        features.add(name);
      } else if (image.isPresent()) {
        throw invalid("generator inputs '" + image.get() + "' and '" + name + "' are neither '"
            + GeneratorSpec.TARGET_INPUT + "' nor tensors of the classifier, and only one image input is allowed: "
            + "name a feature input exactly like the classifier tensor it reads");
      } else {
        image = Optional.of(checkImage(node, input, "generator"));
      }
    }
    if (features.size() > io.maskserve.zoo.onnx.FeatureTaps.MAX_TAPS) {
      throw invalid("generator reads " + features.size() + " classifier tensors; at most "
          + io.maskserve.zoo.onnx.FeatureTaps.MAX_TAPS + " are allowed");
    }
    if (image.isEmpty() && features.isEmpty()) {
      throw invalid("generator reads neither the image nor any classifier tensor");
    }
    return new GeneratorInputs(image, target, List.copyOf(features));
  }

  private static void checkTarget(NodeInfo node) {
    String name = node.getName();
    if (!(node.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.INT64) {
      throw invalid("generator input '" + name + "' must be an int64 tensor [N] (the class to explain per row), "
          + "but it is " + node.getInfo());
    }
    long[] dims = info.getShape();
    if (dims.length != 1) {
      throw invalid("generator input '" + name + "' must have rank 1 [N] (one class index per image), but it is "
          + shape(dims));
    }
    if (dims[0] > 0) {
      throw invalid("generator input '" + name + "' has a fixed batch size of " + dims[0]
          + "; export the model with a dynamic batch axis for it too");
    }
  }

  /** Checks an image input {@code [N,3,H,W]} against the registration and returns its name. */
  private static String checkImage(NodeInfo node, InputSpec input, String what) {
    if (!(node.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
      throw invalid(what + " input '" + node.getName() + "' must be a float32 tensor, but it is " + node.getInfo());
    }
    long[] dims = info.getShape();
    String expected = "[N,3," + input.height() + "," + input.width() + "]";
    if (dims.length != 4) {
      throw invalid(what + " input '" + node.getName() + "' must have rank 4 " + expected + ", but it is "
          + shape(dims));
    }
    if (dims[0] > 0) {
      throw invalid(what + " input '" + node.getName() + "' has a fixed batch size of " + dims[0]
          + "; export the model with a dynamic batch axis (e.g. torch.onnx.export(..., dynamic_axes={'"
          + node.getName() + "': {0: 'batch'}}))");
    }
    if ((dims[1] > 0 && dims[1] != 3)
        || (dims[2] > 0 && dims[2] != input.height())
        || (dims[3] > 0 && dims[3] != input.width())) {
      throw invalid(what + " input '" + node.getName() + "' has shape " + shape(dims) + " but the registration says "
          + expected);
    }
    return node.getName();
  }

  /** {@code dims} as {@code [a,b,...]}, dynamic dimensions as {@code ?}. */
  static String shape(long[] dims) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      sb.append(i > 0 ? "," : "").append(dims[i] < 0 ? "?" : Long.toString(dims[i]));
    }
    return sb.append(']').toString();
  }
}
