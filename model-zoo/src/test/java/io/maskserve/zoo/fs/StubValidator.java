package io.maskserve.zoo.fs;

import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelValidator;

/** Accepts everything; generators are reported as 8x8. For store-mechanics tests. */
final class StubValidator implements ModelValidator {
  @Override
  public void validateClassifier(java.nio.file.Path onnx, ClassifierRegistration registration) {}

  @Override
  public int[] validateGenerator(java.nio.file.Path onnx, ModelManifest classifier) {
    return new int[] {8, 8};
  }
}
