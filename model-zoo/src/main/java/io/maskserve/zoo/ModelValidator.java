package io.maskserve.zoo;

import java.nio.file.Path;

/**
 * Checks an uploaded ONNX file before the store publishes it. Implementations throw {@link
 * ZooException} with reason INVALID_ARGUMENT and a message that names what is wrong.
 */
public interface ModelValidator {

  /**
   * Checks that {@code onnx} is a classifier mapping float {@code [N,3,H,W]} (N dynamic) to
   * {@code [N,C]} with C = number of labels and H, W as registered.
   */
  void validateClassifier(Path onnx, ClassifierRegistration registration);

  /**
   * Checks that {@code onnx} is a generator for {@code classifier}: maps its input {@code [N,3,H,W]}
   * (N dynamic) to {@code [N,1,H',W']} with values in [0,1], H divisible by H' and W by W'. A
   * class-conditional generator also takes the int64 input {@value GeneratorSpec#TARGET_INPUT}
   * {@code [N]} (the class to explain per row, in {@code 0..numClasses-1}); no other input is
   * allowed.
   *
   * @return the generator's output size and whether it is class-conditional
   */
  GeneratorShape validateGenerator(Path onnx, ModelManifest classifier);

  /**
   * As {@link #validateGenerator(Path, ModelManifest)}, with the classifier's ONNX file at hand, so
   * that a generator may also read intermediate tensors of the classifier: each generator input
   * named like a tensor computed by the classifier's graph is fed that tensor (see {@link
   * GeneratorSpec#features}). The default implementation accepts only image generators.
   *
   * @param classifierOnnx the published classifier file of {@code classifier}
   */
  default GeneratorShape validateGenerator(Path onnx, ModelManifest classifier, Path classifierOnnx) {
    return validateGenerator(onnx, classifier);
  }
}
