package io.maskserve.server;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.testing.TestOnnxModels;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The shared real data the tests use (read-only, never copied into the repo). */
public final class TestData {

  /** The ResNet-20 model's name in test zoos. */
  public static final String MODEL = "resnet20";

  /** Its input: 32x32 RGB, ImageNet mean/std as its README says. */
  public static final InputSpec CIFAR_INPUT = new InputSpec(
      32, 32, ResizeMode.RESIZE, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  /** Reference accuracy of ResNet-20 on all 10,000 CIFAR-10 JPEGs (shared/README.md). */
  public static final double REFERENCE_ACCURACY = 0.8103;

  private TestData() {}

  /** The shared data directory: System property {@code maskserve.shared}, else {@code ../shared}. */
  public static Path shared() {
    String prop = System.getProperty("maskserve.shared");
    List<Path> candidates = new ArrayList<>();
    if (prop != null && !prop.isBlank()) {
      candidates.add(Paths.get(prop));
    }
    // Tests run in the module directory; the project root is its parent.
    candidates.add(Paths.get("..", "shared"));
    candidates.add(Paths.get("..", "..", "shared"));
    for (Path p : candidates) {
      if (Files.isDirectory(p.resolve("models"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("shared data not found; tried " + candidates);
  }

  public static Path resnetOnnx() {
    return shared().resolve("models/resnet20-cifar10/model.onnx");
  }

  public static List<String> labels() {
    try {
      return Files.readAllLines(shared().resolve("models/resnet20-cifar10/labels.txt")).stream()
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** CIFAR-10 test image {@code index} (0..999) of {@code label}. */
  public static Path cifarImage(String label, int index) {
    return shared().resolve(String.format("datasets/cifar10-test/%s/%04d.jpg", label, index));
  }

  public static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The reference contrast generator for the CIFAR input with an {@code out x out} map. */
  public static byte[] generatorOnnx(int out) {
    return ReferenceGenerators.contrastGenerator(CIFAR_INPUT, out, out);
  }

  /** Registers ResNet-20 {@code version} and an {@code out x out} reference generator in {@code zoo}. */
  public static ModelManifest populate(Path zoo, String version, int out) {
    return populate(zoo, version, generatorOnnx(out), "reference contrast generator");
  }

  /** Registers ResNet-20 {@code version} and the generator {@code generatorOnnx} (threshold 0.5) in {@code zoo}. */
  public static ModelManifest populate(Path zoo, String version, byte[] generatorOnnx, String description) {
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    try (InputStream in = Files.newInputStream(resnetOnnx())) {
      store.registerClassifier(
          new ClassifierRegistration(MODEL, version, labels(), CIFAR_INPUT, "", "ResNet-20 CIFAR-10"), in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return store.registerGenerator(
        new GeneratorRegistration(new ModelKey(MODEL, version), 0.5f, "", description),
        new ByteArrayInputStream(generatorOnnx));
  }

  /**
   * A class-conditional generator for the CIFAR input: 8x8 map, one row per ResNet-20 class, class
   * k lighting up its own cells (see {@link #conditionalMap}).
   */
  public static byte[] conditionalGeneratorOnnx() {
    return TestOnnxModels.conditionalGenerator(32, 32, 4, 10);
  }

  /**
   * The map of {@link #conditionalGeneratorOnnx} for class {@code target} at the 32x32 input: its
   * 8x8 output upsampled x4.
   */
  public static float[] conditionalMap(int target) {
    float[] map = new float[32 * 32];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        map[y * 32 + x] = TestOnnxModels.conditionalKeep(target, (y / 4) * 8 + x / 4, 10);
      }
    }
    return map;
  }

  /** MobileNetV2's input: 224x224, plain resize, (p - 128) / 128. */
  public static final InputSpec IMAGENET_INPUT = new InputSpec(
      224, 224, ResizeMode.RESIZE, new float[] {0.50196f, 0.50196f, 0.50196f},
      new float[] {0.50196f, 0.50196f, 0.50196f});

  /** Reference top-1 of MobileNetV2 on the 1,300 ILSVRC validation images (shared/README.md). */
  public static final double MOBILENET_REFERENCE_TOP1 = 0.7877;

  public static Path mobilenetOnnx() {
    return shared().resolve("models/mobilenet_v2-imagenet/model.onnx");
  }

  public static List<String> mobilenetLabels() {
    try {
      return Files.readAllLines(shared().resolve("models/mobilenet_v2-imagenet/labels.txt")).stream()
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An ILSVRC validation image and its class. */
  public record LabelledImage(Path file, int label) {}

  /** The first {@code n} ILSVRC validation images in labels.txt order. */
  public static List<LabelledImage> ilsvrc(int n) {
    Path dir = shared().resolve("datasets/ilsvrc2012-val-1300");
    try {
      return Files.readAllLines(dir.resolve("labels.txt")).stream()
          .filter(l -> !l.isBlank())
          .limit(n)
          .map(l -> {
            String[] parts = l.split(",");
            String file = Paths.get(parts[0].trim()).getFileName().toString();
            return new LabelledImage(dir.resolve("images").resolve(file), Integer.parseInt(parts[1].trim()));
          })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code softmax(logits)[k]}, computed independently of the server's code. */
  public static float softmaxAt(float[] logits, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - max);
    }
    return (float) (Math.exp(logits[k] - max) / sum);
  }

  /** The first output of {@code session} on {@code data} of {@code shape}, fed to its first input. */
  public static float[] runFirstOutput(ai.onnxruntime.OrtEnvironment env, ai.onnxruntime.OrtSession session,
      float[] data, long... shape) throws ai.onnxruntime.OrtException {
    try (ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(data),
            shape);
        ai.onnxruntime.OrtSession.Result r = session.run(java.util.Map.of(session.getInputNames().iterator().next(),
            t))) {
      java.nio.FloatBuffer fb = ((ai.onnxruntime.OnnxTensor) r.get(0)).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }
}
