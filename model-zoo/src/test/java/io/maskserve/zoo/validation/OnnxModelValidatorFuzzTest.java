package io.maskserve.zoo.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.ZooException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes {@link OnnxModelValidator#validateClassifier} with arbitrary file contents (an upload is
 * untrusted bytes). The only exception allowed to escape is a {@link ZooException} with reason
 * INVALID_ARGUMENT; anything else (a protobuf or ONNX Runtime exception, NPE, OOM, INTERNAL) is a
 * finding. The seeds include a tiny valid classifier so the fuzzer reaches ONNX Runtime.
 */
class OnnxModelValidatorFuzzTest {

  private static final OnnxModelValidator VALIDATOR = new OnnxModelValidator(OrtEnvironment.getEnvironment());
  private static final ClassifierRegistration REGISTRATION = new ClassifierRegistration(
      "fuzz", "1", List.of("a", "b"),
      new InputSpec(4, 4, ResizeMode.RESIZE, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}),
      "", "");
  private static final Path FILE;

  static {
    try {
      FILE = Files.createTempFile("onnx-fuzz-", ".onnx");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "10m", maxExecutions = 100_000)
  void validateClassifier(byte[] onnx) throws IOException {
    Files.write(FILE, onnx);
    try {
      VALIDATOR.validateClassifier(FILE, REGISTRATION);
    } catch (ZooException e) {
      assertEquals(ZooException.Reason.INVALID_ARGUMENT, e.reason(), () -> "unexpected reason: " + e);
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    }
  }
}
