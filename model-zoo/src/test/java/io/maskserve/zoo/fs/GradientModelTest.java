package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.Preprocessor;
import io.maskserve.zoo.testing.SharedData;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zoo's cached gradient model: built once, beside the classifier, usable by ONNX Runtime. */
class GradientModelTest {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();

  @TempDir Path root;

  @Test
  void buildsOnceCachesAndComputesTheInputGradient() throws Exception {
    FileSystemZooStore store = FileSystemZooStore.open(root, new OnnxModelValidator(env));
    ModelManifest m = store.registerClassifier(SharedData.resnet20Registration("resnet20", "1"),
        Files.newInputStream(SharedData.resnet20Onnx()));

    Path grad = store.gradientModel(m);
    assertEquals(root.resolve("resnet20/1").resolve(FileSystemZooStore.GRADIENT_FILE), grad);
    FileTime built = Files.getLastModifiedTime(grad);
    Files.setLastModifiedTime(grad, FileTime.fromMillis(built.toMillis() - 60_000));
    FileTime aged = Files.getLastModifiedTime(grad);
    assertEquals(grad, store.gradientModel(m));
    assertEquals(aged, Files.getLastModifiedTime(grad), "the second call reuses the cached file");
    FileSystemZooStore reopened = FileSystemZooStore.open(root, new OnnxModelValidator(env));
    assertEquals(grad, reopened.gradientModel(m));
    assertEquals(aged, Files.getLastModifiedTime(grad), "recovery keeps the cache");

    float[] x = new Preprocessor(SharedData.cifar10Input())
        .toTensor(ImageDecoder.decode(Files.readAllBytes(SharedData.cifar10Image("cat", 800))));
    try (OrtSession s = env.createSession(grad.toString(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, 32, 32});
        OnnxTensor target = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {3}), new long[] {1});
        OrtSession.Result r = s.run(Map.of("input", in, Autodiff.TARGET, target))) {
      OnnxTensor g = (OnnxTensor) r.get(Autodiff.INPUT_GRAD).orElseThrow();
      assertEquals(java.util.List.of(1L, 3L, 32L, 32L),
          java.util.Arrays.stream(g.getInfo().getShape()).boxed().toList());
      float[] values = g.getFloatBuffer().array();
      double norm = 0;
      for (float v : values) {
        assertTrue(Float.isFinite(v));
        norm += v * v;
      }
      assertTrue(norm > 0, "the logit depends on the input");
    }

    assertTrue(store.delete(m.key(), false));
    ZooException gone = assertThrows(ZooException.class, () -> store.gradientModel(m));
    assertEquals(ZooException.Reason.NOT_FOUND, gone.reason(), gone.getMessage());
  }

  @Test
  void aCacheWrittenByAnEarlierTransformIsReplaced() throws Exception {
    FileSystemZooStore store = FileSystemZooStore.open(root, new OnnxModelValidator(env));
    ModelManifest m = store.registerClassifier(SharedData.resnet20Registration("resnet20", "1"),
        Files.newInputStream(SharedData.resnet20Onnx()));
    Path dir = root.resolve("resnet20/1");
    for (String old : FileSystemZooStore.SUPERSEDED_GRADIENT_FILES) {
      Files.writeString(dir.resolve(old), "an earlier build's cache");
    }
    Path grad = store.gradientModel(m);
    assertEquals(dir.resolve(FileSystemZooStore.GRADIENT_FILE), grad);
    for (String old : FileSystemZooStore.SUPERSEDED_GRADIENT_FILES) {
      assertTrue(Files.notExists(dir.resolve(old)), old + " is deleted once the current cache is written");
    }
  }
}
