package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.MetadataLimits;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.ZooException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Huge metadata (labels, descriptions) is refused with INVALID_ARGUMENT before the upload is read,
 * and nothing is written: in particular a manifest the store could not read back (over {@link
 * ManifestCodec#MAX_MANIFEST_BYTES}) is never written, since that would hide the version.
 */
class MetadataLimitsTest {

  private static final InputSpec INPUT =
      new InputSpec(4, 4, ResizeMode.RESIZE, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});

  @TempDir Path root;

  /** An upload that must not be read: the registration has to fail first. */
  private static InputStream unread() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        throw new AssertionError("the upload was read although the metadata is invalid");
      }
    };
  }

  private static String invalid(Runnable r) {
    ZooException e = assertThrows(ZooException.class, r::run);
    assertEquals(ZooException.Reason.INVALID_ARGUMENT, e.reason(), e.getMessage());
    return e.getMessage();
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(".lock")).sorted().toList();
    }
  }

  @Test
  void registrationsRefuseTooManyOrTooLongLabelsAndDescriptions() {
    String longLabel = "x".repeat(MetadataLimits.MAX_LABEL_CHARS + 1);
    assertTrue(invalid(() -> new ClassifierRegistration("m", "1", List.of("a", longLabel), INPUT, "", ""))
        .contains("label 1 is " + longLabel.length() + " characters"));
    List<String> many = Collections.nCopies(MetadataLimits.MAX_LABELS + 1, "a");
    assertTrue(invalid(() -> new ClassifierRegistration("m", "1", many, INPUT, "", "")).contains("labels"));
    String longText = "d".repeat(MetadataLimits.MAX_DESCRIPTION_CHARS + 1);
    assertTrue(invalid(() -> new ClassifierRegistration("m", "1", List.of("a"), INPUT, "", longText))
        .contains("classifier description"));
    assertTrue(invalid(() -> new GeneratorRegistration(new ModelKey("m", "1"), null, "", longText))
        .contains("generator description"));
    // At the limits exactly: accepted.
    new ClassifierRegistration("m", "1", List.of("x".repeat(MetadataLimits.MAX_LABEL_CHARS)), INPUT, "",
        "d".repeat(MetadataLimits.MAX_DESCRIPTION_CHARS));
  }

  @Test
  void aManifestOverTheSizeLimitIsRefusedBeforeTheUploadAndNothingIsWritten() throws IOException {
    FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
    List<Path> before = files();
    // 1,100 labels of 1,000 characters: every label is within the limits, the manifest (1.1 MB) is not.
    List<String> labels = Collections.nCopies(1100, "l".repeat(1000));
    String msg = invalid(() -> store.registerClassifier(
        new ClassifierRegistration("big", "1", labels, INPUT, "", ""), unread()));
    assertTrue(msg.contains("over the limit of " + ManifestCodec.MAX_MANIFEST_BYTES), msg);
    assertEquals(before, files());
    assertTrue(store.list().isEmpty());
  }

  @Test
  void aGeneratorDescriptionThatWouldOverflowTheManifestLeavesTheVersionIntact() throws IOException {
    FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
    // A classifier manifest just under the limit (within 8,000 bytes of it).
    ManifestCodec codec = new ManifestCodec();
    List<String> labels = new ArrayList<>();
    String label = "l".repeat(1000);
    while (true) {
      labels.add(label);
      ClassifierRegistration r = new ClassifierRegistration("big", "1", labels, INPUT, "", "");
      ModelManifest probe = new ModelManifest("big", "1", labels, INPUT,
          new io.maskserve.zoo.Artifact("classifier.onnx", "0".repeat(64), Long.MAX_VALUE),
          java.util.Optional.empty(), java.time.Instant.now(), r.description());
      if (codec.toJson(probe).length() > ManifestCodec.MAX_MANIFEST_BYTES - 8_000) {
        break;
      }
    }
    ModelManifest m = store.registerClassifier(
        new ClassifierRegistration("big", "1", labels, INPUT, "", ""), new ByteArrayInputStream(new byte[] {1}));
    List<Path> before = files();
    String msg = invalid(() -> store.registerGenerator(
        new GeneratorRegistration(m.key(), null, "", "g".repeat(MetadataLimits.MAX_DESCRIPTION_CHARS)), unread()));
    assertTrue(msg.contains("over the limit"), msg);
    assertEquals(before, files());
    ModelManifest after = store.get(m.key()).orElseThrow(() -> new AssertionError("the version disappeared"));
    assertTrue(after.generator().isEmpty());
    assertEquals(labels.size(), after.labels().size());
  }
}
