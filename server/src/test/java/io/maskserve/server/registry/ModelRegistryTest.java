package io.maskserve.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.TestData;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.fs.ManifestCodec;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

  @TempDir Path zoo;

  private FileSystemZooStore open() {
    return FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
  }

  private ModelRegistry registry(FileSystemZooStore store) {
    return new ModelRegistry(store, new SessionFactory(OrtEnvironment.getEnvironment(), Device.CPU, 1, 1));
  }

  @Test
  void resolvesLatestWithGeneratorAndCachesLoadedModels() throws Exception {
    TestData.populate(zoo, "1", 8);
    FileSystemZooStore store = open();
    try (InputStream in = Files.newInputStream(TestData.resnetOnnx())) {
      // Version 2 has no generator yet: latest-for-explain stays at 1.
      store.registerClassifier(
          new ClassifierRegistration(TestData.MODEL, "2", TestData.labels(), TestData.CIFAR_INPUT, "", ""), in);
    }
    try (ModelRegistry registry = registry(store)) {
      assertEquals("1", registry.resolve(TestData.MODEL, "").version());
      ZooException noGen = assertThrows(ZooException.class, () -> registry.resolve(TestData.MODEL, "2"));
      assertEquals(ZooException.Reason.FAILED_PRECONDITION, noGen.reason());
      assertTrue(noGen.getMessage().contains("RegisterGenerator"), noGen.getMessage());
      ZooException missing = assertThrows(ZooException.class, () -> registry.resolve("other", ""));
      assertEquals(ZooException.Reason.NOT_FOUND, missing.reason());
      assertTrue(missing.getMessage().contains(TestData.MODEL), missing.getMessage());
      ZooException noVersion = assertThrows(ZooException.class, () -> registry.resolve(TestData.MODEL, "9"));
      assertEquals(ZooException.Reason.NOT_FOUND, noVersion.reason());

      try (ModelRegistry.Lease a = registry.acquire(TestData.MODEL, "");
          ModelRegistry.Lease b = registry.acquire(TestData.MODEL, "1")) {
        assertSame(a.model(), b.model(), "loaded once, shared");
        assertEquals("input", a.model().classifier().inputName());
      }
    }
  }

  /** Rewrites the version's manifest.json with the generator's class-conditional flag flipped. */
  private void flipClassConditional(ModelManifest m) throws Exception {
    GeneratorSpec g = m.generator().orElseThrow();
    GeneratorSpec flipped = new GeneratorSpec(g.artifact(), g.threshold(), g.outputHeight(), g.outputWidth(),
        !g.classConditional(), g.created(), g.description());
    Path manifest = zoo.resolve(m.name()).resolve(m.version()).resolve(FileSystemZooStore.MANIFEST_FILE);
    Files.write(manifest, new ManifestCodec().write(m.withGenerator(Optional.of(flipped))));
  }

  @Test
  void generatorNotMatchingItsManifestIsAClearLoadError() throws Exception {
    // The manifest says unconditional, the file takes a target.
    ModelManifest conditional =
        TestData.populate(zoo, "1", TestData.conditionalGeneratorOnnx(), "class-conditional");
    flipClassConditional(conditional);
    // The manifest says class-conditional, the file takes only the image.
    flipClassConditional(TestData.populate(zoo, "2", 8));
    try (ModelRegistry registry = registry(open())) {
      ZooException e = assertThrows(ZooException.class, () -> registry.acquire(TestData.MODEL, "1"));
      assertEquals(ZooException.Reason.FAILED_PRECONDITION, e.reason());
      assertTrue(e.getMessage().contains("does not match its manifest") && e.getMessage().contains("unconditional")
          && e.getMessage().contains("target"), e.getMessage());
      e = assertThrows(ZooException.class, () -> registry.acquire(TestData.MODEL, "2"));
      assertEquals(ZooException.Reason.FAILED_PRECONDITION, e.reason());
      assertTrue(e.getMessage().contains("class-conditional") && e.getMessage().contains("'target'"), e.getMessage());
    }
    // Put right, both load.
    flipClassConditional(open().get(new ModelKey(TestData.MODEL, "1")).orElseThrow());
    flipClassConditional(open().get(new ModelKey(TestData.MODEL, "2")).orElseThrow());
    try (ModelRegistry registry = registry(open());
        ModelRegistry.Lease one = registry.acquire(TestData.MODEL, "1");
        ModelRegistry.Lease two = registry.acquire(TestData.MODEL, "2")) {
      assertTrue(one.model().classConditional());
      assertFalse(two.model().classConditional());
    }
  }

  @Test
  void onlyVersionsWithoutGeneratorIsFailedPrecondition() throws Exception {
    FileSystemZooStore store = open();
    try (InputStream in = Files.newInputStream(TestData.resnetOnnx())) {
      store.registerClassifier(
          new ClassifierRegistration(TestData.MODEL, "1", TestData.labels(), TestData.CIFAR_INPUT, "", ""), in);
    }
    try (ModelRegistry registry = registry(store)) {
      ZooException e = assertThrows(ZooException.class, () -> registry.acquire(TestData.MODEL, ""));
      assertEquals(ZooException.Reason.FAILED_PRECONDITION, e.reason());
    }
  }

  @Test
  void deletedModelStaysUsableByInFlightCallsAndClosesAfter() throws Exception {
    TestData.populate(zoo, "1", 8);
    FileSystemZooStore store = open();
    try (ModelRegistry registry = registry(store)) {
      ModelRegistry.Lease lease = registry.acquire(TestData.MODEL, "1");
      LoadedModel model = lease.model();
      assertTrue(store.delete(new ModelKey(TestData.MODEL, "1"), false));
      registry.refresh();
      assertThrows(ZooException.class, () -> registry.acquire(TestData.MODEL, "1"));
      assertFalse(model.isClosed(), "in use: not closed");
      assertEquals(10, model.classifier().run(new float[3 * 32 * 32], new long[] {1, 3, 32, 32}).values().length);
      lease.close();
      assertTrue(model.isClosed(), "last user gone: closed");
    }
  }

  @Test
  void periodicRefreshSeesChangesByOtherProcesses() throws Exception {
    FileSystemZooStore mine = open();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (ModelRegistry registry = registry(mine)) {
      registry.startRefreshing(scheduler, Duration.ofMillis(100));
      assertTrue(registry.manifests().isEmpty());
      TestData.populate(zoo, "3", 8); // another store instance, as another process would
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (registry.manifests().isEmpty() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertEquals(1, registry.manifests().size());
      LoadedModel before;
      try (ModelRegistry.Lease l = registry.acquire(TestData.MODEL, "")) {
        before = l.model();
      }
      // Another process replaces the generator: the registry loads the new files.
      FileSystemZooStore other = open();
      other.delete(new ModelKey(TestData.MODEL, "3"), true);
      other.registerGenerator(
          new io.maskserve.zoo.GeneratorRegistration(new ModelKey(TestData.MODEL, "3"), 0.4f, "", ""),
          new java.io.ByteArrayInputStream(TestData.generatorOnnx(16)));
      until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!before.isClosed() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertTrue(before.isClosed(), "old generator unloaded");
      try (ModelRegistry.Lease l = registry.acquire(TestData.MODEL, "")) {
        assertNotSame(before, l.model());
        assertEquals(0.4f, l.model().defaultThreshold());
      }
    } finally {
      scheduler.shutdownNow();
    }
  }
}
