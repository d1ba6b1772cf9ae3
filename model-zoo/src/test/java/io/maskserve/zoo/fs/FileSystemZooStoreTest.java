package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.ZooException.Reason;
import io.maskserve.zoo.onnx.ReferenceGenerators;
import io.maskserve.zoo.testing.SharedData;
import io.maskserve.zoo.testing.TestOnnxModels;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class FileSystemZooStoreTest {

  private static byte[] resnet;
  private static byte[] generator32;
  private static byte[] generator8;
  private final OnnxModelValidator validator = new OnnxModelValidator(OrtEnvironment.getEnvironment());

  @TempDir Path root;
  private FileSystemZooStore store;

  @BeforeAll
  static void loadModels() {
    resnet = SharedData.bytes(SharedData.resnet20Onnx());
    generator32 = ReferenceGenerators.contrastGenerator(SharedData.cifar10Input(), 32, 32);
    generator8 = ReferenceGenerators.contrastGenerator(SharedData.cifar10Input(), 8, 8);
  }

  @BeforeEach
  void open() {
    store = FileSystemZooStore.open(root, validator);
  }

  static InputStream in(byte[] b) {
    return new ByteArrayInputStream(b);
  }

  static String sha256(byte[] b) {
    return HexFormat.of().formatHex(FsSupport.sha256().digest(b));
  }

  private ModelManifest registerResnet(String name, String version) {
    return store.registerClassifier(SharedData.resnet20Registration(name, version), in(resnet));
  }

  private static ZooException fails(Reason reason, Executable e) {
    ZooException ex = assertThrows(ZooException.class, e);
    assertEquals(reason, ex.reason(), ex.getMessage());
    return ex;
  }

  /** Everything under root except the bookkeeping entries (two empty directories, the lock file). */
  private List<String> visibleFiles() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root) && !p.equals(root.resolve(".staging")) && !p.equals(root.resolve(".trash"))
              && !p.equals(root.resolve(".lock")))
          .map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void classConditionalGeneratorIsRecordedInTheManifest() {
    ModelManifest m = registerResnet("resnet20", "1");
    byte[] conditional = TestOnnxModels.conditionalGenerator(32, 32, 4, 10);
    ModelManifest withGen = store.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""), in(conditional));
    GeneratorSpec g = withGen.generator().orElseThrow();
    assertTrue(g.classConditional());
    assertEquals(8, g.outputHeight());
    assertEquals(withGen, FileSystemZooStore.open(root, validator).get(m.key()).orElseThrow());
    // A generator that cannot take every class is refused and leaves the version without one.
    assertTrue(store.delete(m.key(), true));
    fails(Reason.INVALID_ARGUMENT, () -> store.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""),
        in(TestOnnxModels.conditionalGenerator(32, 32, 4, 3))));
    assertTrue(store.get(m.key()).orElseThrow().generator().isEmpty());
  }

  @Test
  void registerListGetLatestDeleteRoundTrip() throws IOException {
    ModelManifest m = registerResnet("resnet20", "1");
    assertEquals(SharedData.RESNET20_SHA256, m.classifier().sha256());
    assertEquals(resnet.length, m.classifier().sizeBytes());
    assertTrue(m.generator().isEmpty());
    assertEquals(List.of(m), store.list());
    assertEquals(m, store.get(new ModelKey("resnet20", "1")).orElseThrow());
    Path file = store.localFile(m, m.classifier());
    assertEquals(root.resolve("resnet20/1/classifier.onnx"), file);
    assertEquals(SharedData.RESNET20_SHA256, sha256(Files.readAllBytes(file)));
    assertEquals(m, store.latest("resnet20", false).orElseThrow());
    assertTrue(store.latest("resnet20", true).isEmpty());

    ModelManifest withGen = store.registerGenerator(
        new GeneratorRegistration(m.key(), 0.4f, sha256(generator8), "reference"), in(generator8));
    GeneratorSpec g = withGen.generator().orElseThrow();
    assertEquals(8, g.outputHeight());
    assertEquals(8, g.outputWidth());
    assertFalse(g.classConditional());
    assertEquals(0.4f, g.threshold());
    assertEquals(sha256(generator8), g.artifact().sha256());
    assertEquals(withGen, store.get(m.key()).orElseThrow());
    assertEquals(withGen, store.latest("resnet20", true).orElseThrow());
    assertArrayEquals(generator8, Files.readAllBytes(store.localFile(withGen, g.artifact())));
    assertEquals(List.of("resnet20", "resnet20/1", "resnet20/1/classifier.onnx", "resnet20/1/generator.onnx",
        "resnet20/1/manifest.json"), visibleFiles());

    // A reopened store sees the same thing.
    assertEquals(List.of(withGen), FileSystemZooStore.open(root, validator).list());

    assertTrue(store.delete(m.key(), true));
    assertFalse(store.delete(m.key(), true));
    assertEquals(m.withGenerator(java.util.Optional.empty()), store.get(m.key()).orElseThrow());
    assertFalse(Files.exists(root.resolve("resnet20/1/generator.onnx")));
    // After deleting a generator a new one can be attached.
    ModelManifest again = store.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""), in(generator32));
    assertEquals(GeneratorSpec.DEFAULT_THRESHOLD, again.generator().orElseThrow().threshold());
    assertEquals(32, again.generator().orElseThrow().outputHeight());

    assertTrue(store.delete(m.key(), false));
    assertFalse(store.delete(m.key(), false));
    assertTrue(store.list().isEmpty());
    assertTrue(store.get(m.key()).isEmpty());
    assertEquals(List.of(), visibleFiles());
    assertTrue(Files.isDirectory(root.resolve(".trash")));
  }

  @Test
  void latestFollowsVersionOrder() {
    registerResnet("resnet20", "1.9");
    registerResnet("resnet20", "1.10");
    registerResnet("resnet20", "1.2");
    registerResnet("alpha", "2");
    assertEquals("1.10", store.latest("resnet20", false).orElseThrow().version());
    assertEquals(List.of("alpha:2", "resnet20:1.2", "resnet20:1.9", "resnet20:1.10"),
        store.list().stream().map(x -> x.key().toString()).toList());
    store.registerGenerator(new GeneratorRegistration(new ModelKey("resnet20", "1.2"), null, "", ""), in(generator8));
    assertEquals("1.2", store.latest("resnet20", true).orElseThrow().version());
    assertEquals(List.of("1.2", "1.9", "1.10"), store.list("resnet20").stream().map(ModelManifest::version).toList());
    assertTrue(store.latest("nothing", false).isEmpty());
  }

  @Test
  void invalidNamesAreRejectedAndNothingIsWritten() throws IOException {
    for (String bad : new String[] {"../x", ".hidden", "a/b", "", "x".repeat(65), "a\\b", " a", "..", "-x"}) {
      fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
          new ClassifierRegistration(bad, "1", SharedData.cifar10Labels(), SharedData.cifar10Input(), "", ""), in(resnet)));
      fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
          new ClassifierRegistration("ok", bad, SharedData.cifar10Labels(), SharedData.cifar10Input(), "", ""), in(resnet)));
      fails(Reason.INVALID_ARGUMENT, () -> store.latest(bad, false));
      fails(Reason.INVALID_ARGUMENT, () -> store.get(new ModelKey(bad, "1")));
    }
    registerResnet("x".repeat(64), "v".repeat(64)); // the longest valid names work
    assertEquals(1, store.list().size());
    store.delete(new ModelKey("x".repeat(64), "v".repeat(64)), false);
    assertEquals(List.of(), visibleFiles());
    assertFalse(Files.exists(root.getParent().resolve("x")));
  }

  @Test
  void checksumMismatchNamesBothHashesAndLeavesNothing() throws IOException {
    String wrong = "0".repeat(64);
    ZooException e = fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
        new ClassifierRegistration("m", "1", SharedData.cifar10Labels(), SharedData.cifar10Input(), wrong.toUpperCase(), ""),
        in(resnet)));
    assertTrue(e.getMessage().contains(wrong) && e.getMessage().contains(SharedData.RESNET20_SHA256), e.getMessage());
    fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
        new ClassifierRegistration("m", "1", SharedData.cifar10Labels(), SharedData.cifar10Input(), "abc", ""), in(resnet)));
    assertEquals(List.of(), visibleFiles());

    ModelManifest m = registerResnet("m", "1");
    e = fails(Reason.INVALID_ARGUMENT, () -> store.registerGenerator(
        new GeneratorRegistration(m.key(), null, wrong, ""), in(generator8)));
    assertTrue(e.getMessage().contains(sha256(generator8)), e.getMessage());
    assertEquals(List.of("m", "m/1", "m/1/classifier.onnx", "m/1/manifest.json"), visibleFiles());
  }

  @Test
  void invalidOnnxIsRejectedAndLeavesNothing() throws IOException {
    fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
        new ClassifierRegistration("m", "1", SharedData.cifar10Labels(), SharedData.cifar10Input(), "", ""),
        in(TestOnnxModels.notOnnx())));
    fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
        new ClassifierRegistration("m", "1", SharedData.cifar10Labels(), SharedData.cifar10Input(), "", ""),
        in(new byte[0])));
    ZooException e = fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
        new ClassifierRegistration("m", "1", SharedData.cifar10Labels().subList(0, 9), SharedData.cifar10Input(), "", ""),
        in(resnet)));
    assertTrue(e.getMessage().contains("9 labels"), e.getMessage());
    fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
        new ClassifierRegistration("m", "1", List.of(), SharedData.cifar10Input(), "", ""), in(resnet)));
    assertEquals(List.of(), visibleFiles());

    ModelManifest m = registerResnet("m", "1");
    List<String> published = visibleFiles();
    fails(Reason.INVALID_ARGUMENT, () -> store.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""),
        in(TestOnnxModels.generatorRank3(32, 32))));
    fails(Reason.INVALID_ARGUMENT, () -> store.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""),
        in(TestOnnxModels.generator(32, 32, 4, 2f))));
    fails(Reason.INVALID_ARGUMENT, () -> store.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""),
        in(TestOnnxModels.generator(32, 32, 5, 1f))));
    fails(Reason.INVALID_ARGUMENT, () -> store.registerGenerator(new GeneratorRegistration(m.key(), 1.0f, "", ""),
        in(generator8)));
    assertEquals(published, visibleFiles());
    assertTrue(store.get(m.key()).orElseThrow().generator().isEmpty());
  }

  @Test
  void alreadyExistsAndNotFound() throws IOException {
    ModelManifest m = registerResnet("m", "1");
    ZooException e = fails(Reason.ALREADY_EXISTS, () -> registerResnet("m", "1"));
    assertTrue(e.getMessage().contains("m:1"), e.getMessage());
    store.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""), in(generator8));
    e = fails(Reason.ALREADY_EXISTS, () -> store.registerGenerator(
        new GeneratorRegistration(m.key(), null, "", ""), in(generator32)));
    assertTrue(e.getMessage().contains("generator_only"), e.getMessage());
    fails(Reason.NOT_FOUND, () -> store.registerGenerator(
        new GeneratorRegistration(new ModelKey("m", "2"), null, "", ""), in(generator8)));
    fails(Reason.NOT_FOUND, () -> store.registerGenerator(
        new GeneratorRegistration(new ModelKey("other", "1"), null, "", ""), in(generator8)));
    assertFalse(store.delete(new ModelKey("other", "1"), false));
    assertFalse(store.delete(new ModelKey("other", "1"), true));
    assertEquals(List.of("m", "m/1", "m/1/classifier.onnx", "m/1/generator.onnx", "m/1/manifest.json"), visibleFiles());
  }

  @Test
  void uploadSizeLimitIsResourceExhausted() throws IOException {
    FileSystemZooStore small = FileSystemZooStore.open(root, validator, new StoreLimits(100_000));
    ZooException e = fails(Reason.RESOURCE_EXHAUSTED, () -> small.registerClassifier(
        SharedData.resnet20Registration("m", "1"), in(resnet)));
    assertTrue(e.getMessage().contains("100000"), e.getMessage());
    assertEquals(List.of(), visibleFiles());
    ModelManifest m = registerResnet("m", "1");
    FileSystemZooStore tiny = FileSystemZooStore.open(root, validator, new StoreLimits(generator8.length - 1));
    fails(Reason.RESOURCE_EXHAUSTED, () -> tiny.registerGenerator(
        new GeneratorRegistration(m.key(), null, "", ""), in(generator8)));
    assertEquals(List.of("m", "m/1", "m/1/classifier.onnx", "m/1/manifest.json"), visibleFiles());
    // Exactly at the limit is fine.
    FileSystemZooStore exact = FileSystemZooStore.open(root, validator, new StoreLimits(generator8.length));
    exact.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""), in(generator8));
  }

  @Test
  void failingUploadStreamLeavesNothing() throws IOException {
    InputStream broken = new InputStream() {
      int n;

      @Override
      public int read() throws IOException {
        if (n++ > 10_000) {
          throw new IOException("client went away");
        }
        return 0;
      }
    };
    ZooException e = fails(Reason.INVALID_ARGUMENT, () -> store.registerClassifier(
        SharedData.resnet20Registration("m", "1"), broken));
    assertTrue(e.getMessage().contains("client went away"), e.getMessage());
    assertEquals(List.of(), visibleFiles());
  }

  @Test
  void corruptOrForeignDirectoriesAreSkipped() throws IOException {
    ModelManifest good = registerResnet("m", "1");
    Files.createDirectories(root.resolve("m/2"));
    Files.writeString(root.resolve("m/2/manifest.json"), "{not json");
    Files.createDirectories(root.resolve("m/3"));
    Files.createDirectories(root.resolve("bad name/1"));
    Files.writeString(root.resolve("stray-file"), "x");
    // A manifest copied into another version's directory does not count for that version.
    Files.createDirectories(root.resolve("m/4"));
    Files.copy(root.resolve("m/1/manifest.json"), root.resolve("m/4/manifest.json"));
    assertEquals(List.of(good), store.list());
    assertTrue(store.get(new ModelKey("m", "2")).isEmpty());
    assertTrue(store.get(new ModelKey("m", "4")).isEmpty());
    assertEquals("1", store.latest("m", false).orElseThrow().version());
    ZooException e = fails(Reason.ALREADY_EXISTS, () -> registerResnet("m", "2"));
    assertTrue(e.getMessage().contains("without a valid manifest"), e.getMessage());
    assertTrue(store.delete(new ModelKey("m", "2"), false)); // the way to clean it up
    registerResnet("m", "2");
    assertEquals(2, store.list().size());
  }

  @Test
  void openCleansLeftovers() throws IOException {
    ModelManifest m = registerResnet("m", "1");
    Files.createDirectories(root.resolve(".staging/abc"));
    Files.write(root.resolve(".staging/abc/classifier.onnx"), new byte[10]);
    Files.createDirectories(root.resolve(".trash/def/sub"));
    Files.write(root.resolve(".trash/def/sub/x"), new byte[10]);
    Files.write(root.resolve("m/1/.generator-123.tmp"), new byte[10]);
    Files.write(root.resolve("m/1/.manifest.json-123.tmp"), new byte[10]);
    Files.write(root.resolve("m/1/generator.onnx"), generator8); // not referenced by the manifest
    Files.createDirectories(root.resolve("empty-model"));
    FileSystemZooStore reopened = FileSystemZooStore.open(root, validator);
    assertEquals(List.of("m", "m/1", "m/1/classifier.onnx", "m/1/manifest.json"), visibleFiles());
    assertEquals(List.of(m), reopened.list());
    // A referenced generator survives.
    ModelManifest withGen = reopened.registerGenerator(new GeneratorRegistration(m.key(), null, "", ""), in(generator8));
    FileSystemZooStore.open(root, validator);
    assertTrue(Files.exists(root.resolve("m/1/generator.onnx")));
    assertEquals(List.of(withGen), reopened.list());
  }

  @Test
  void diskFullIsRecognised() {
    assertTrue(FsSupport.isDiskFull(new IOException("No space left on device")));
    assertTrue(FsSupport.isDiskFull(new java.nio.file.FileSystemException("/x", null, "Disk quota exceeded")));
    assertFalse(FsSupport.isDiskFull(new IOException("Permission denied")));
    assertEquals(Reason.RESOURCE_EXHAUSTED, FsSupport.ioFailure("x", new IOException("No space left on device")).reason());
    assertEquals(Reason.INTERNAL, FsSupport.ioFailure("x", new IOException("Permission denied")).reason());
  }
}
