package io.maskserve.zoo.testing;

import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Locates the project's read-only shared data ({@code shared/} beside the project root): System
 * property {@code maskserve.shared} (set by surefire), else {@code ../shared} relative to the
 * module's parent directory, else relative to the working directory. Never copy it into the repo.
 */
public final class SharedData {

  /** sha256 of {@code models/resnet20-cifar10/model.onnx}. */
  public static final String RESNET20_SHA256 = "525a722e19d155ea4f8e971d242add36fd1b15158a13d636e59cbbd1a05d71fc";

  /** CIFAR-10 normalisation the resnet20 model expects. */
  public static final float[] CIFAR_MEAN = {0.485f, 0.456f, 0.406f};

  /** CIFAR-10 normalisation the resnet20 model expects. */
  public static final float[] CIFAR_STD = {0.229f, 0.224f, 0.225f};

  private SharedData() {}

  /** The shared data directory; fails with a clear message when it cannot be found. */
  public static Path root() {
    List<Path> candidates = new ArrayList<>();
    String prop = System.getProperty("maskserve.shared");
    if (prop != null && !prop.isBlank()) {
      candidates.add(Paths.get(prop));
    }
    Path cwd = Paths.get("").toAbsolutePath();
    if (cwd.getParent() != null) {
      candidates.add(cwd.getParent().resolve("../shared"));
    }
    candidates.add(cwd.resolve("../shared"));
    for (Path p : candidates) {
      if (Files.isDirectory(p.resolve("models"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("shared data not found; tried " + candidates
        + " (set -Dmaskserve.shared=/path/to/shared)");
  }

  /** {@code models/resnet20-cifar10/model.onnx}: input [N,3,32,32], output logits [N,10]. */
  public static Path resnet20Onnx() {
    return root().resolve("models/resnet20-cifar10/model.onnx");
  }

  /** The 10 CIFAR-10 class names in logit order. */
  public static List<String> cifar10Labels() {
    try {
      List<String> labels = new ArrayList<>();
      for (String line : Files.readAllLines(root().resolve("models/resnet20-cifar10/labels.txt"))) {
        if (!line.isBlank()) {
          labels.add(line.strip());
        }
      }
      return List.copyOf(labels);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The resnet20 input: 32x32, RESIZE, CIFAR mean/std. */
  public static InputSpec cifar10Input() {
    return new InputSpec(32, 32, ResizeMode.RESIZE, CIFAR_MEAN, CIFAR_STD);
  }

  /** A registration of the real resnet20 classifier (with its sha256). */
  public static ClassifierRegistration resnet20Registration(String name, String version) {
    return new ClassifierRegistration(name, version, cifar10Labels(), cifar10Input(), RESNET20_SHA256,
        "ResNet-20 CIFAR-10 (test)");
  }

  /** {@code datasets/cifar10-test/<cls>/<nnnn>.jpg}. */
  public static Path cifar10Image(String cls, int index) {
    return root().resolve("datasets/cifar10-test").resolve(cls).resolve(String.format("%04d.jpg", index));
  }

  /** The bytes of a file, unchecked. */
  public static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
