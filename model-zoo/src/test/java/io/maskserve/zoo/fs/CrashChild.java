package io.maskserve.zoo.fs;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelValidator;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.testing.SharedData;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Child JVM for {@link CrashSafetyTest}: performs a store operation and announces on stdout when
 * it reached the point where the parent should kill it (it then sleeps there).
 *
 * <p>Usage: {@code CrashChild <root> <mode>} with mode {@code classifier-upload}, {@code
 * generator-between-renames} or {@code delete-after-trash}.
 */
public final class CrashChild {

  static final String MARK = "CRASH-POINT-REACHED";

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path root = Paths.get(args[0]);
    String mode = args[1];
    byte[] resnet = SharedData.bytes(SharedData.resnet20Onnx());
    switch (mode) {
      case "classifier-upload" -> {
        FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
        store.registerClassifier(SharedData.resnet20Registration("m", "1"), new SlowStream(resnet));
      }
      case "generator-between-renames" -> {
        ModelValidator validator = new OnnxModelValidator(OrtEnvironment.getEnvironment());
        FileSystemZooStore store = FileSystemZooStore.open(root, validator);
        store.registerClassifier(SharedData.resnet20Registration("m", "1"), new ByteArrayInputStream(resnet));
        store.afterGeneratorRename = CrashChild::announceAndWait;
        store.registerGenerator(new GeneratorRegistration(new ModelKey("m", "1"), null, "", ""),
            new ByteArrayInputStream(ReferenceGenerators.contrastGenerator(SharedData.cifar10Input(), 8, 8)));
      }
      case "delete-after-trash" -> {
        FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
        store.registerClassifier(SharedData.resnet20Registration("m", "1"), new ByteArrayInputStream(resnet));
        store.registerClassifier(SharedData.resnet20Registration("m", "2"), new ByteArrayInputStream(resnet));
        store.afterTrashRename = CrashChild::announceAndWait;
        store.delete(new ModelKey("m", "1"), false);
      }
      default -> throw new IllegalArgumentException(mode);
    }
    System.out.println("FINISHED-WITHOUT-CRASH");
    System.exit(3);
  }

  static void announceAndWait() {
    System.out.println(MARK);
    System.out.flush();
    try {
      Thread.sleep(120_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Hands out 16 KiB chunks, announcing after the third and then sleeping between chunks. */
  static final class SlowStream extends InputStream {
    private final ByteArrayInputStream in;
    private int chunks;

    SlowStream(byte[] bytes) {
      in = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (++chunks == 4) {
        System.out.println(MARK);
        System.out.flush();
      }
      if (chunks >= 4) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      return in.read(b, off, Math.min(len, 16 * 1024));
    }
  }
}
