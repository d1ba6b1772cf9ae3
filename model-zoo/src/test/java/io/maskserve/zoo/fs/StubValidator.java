package io.maskserve.zoo.fs;

import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorShape;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelValidator;

/** Accepts everything; generators are reported as 8x8, unconditional. For store-mechanics tests. */
final class StubValidator implements ModelValidator {
  @Override
  public void validateClassifier(java.nio.file.Path onnx, ClassifierRegistration registration) {}

  @Override
  public GeneratorShape validateGenerator(java.nio.file.Path onnx, ModelManifest classifier) {
    return new GeneratorShape(8, 8, false);
  }
}
