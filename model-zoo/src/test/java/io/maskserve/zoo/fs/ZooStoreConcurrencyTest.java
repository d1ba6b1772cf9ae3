package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ZooStoreConcurrencyTest {

  @TempDir Path root;

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static ClassifierRegistration reg(String version) {
    return new ClassifierRegistration("m", version, SharedData.cifar10Labels(), SharedData.cifar10Input(), "", "");
  }

  /**
   * Checks that a listed version is whole: its files exist with the manifest's sizes. A version
   * deleted after it was listed is fine; one still published with missing or short files is not.
   */
  private static String check(FileSystemZooStore store, ModelManifest m) throws IOException {
    List<Artifact> artifacts = new ArrayList<>();
    artifacts.add(m.classifier());
    m.generator().ifPresent(g -> artifacts.add(g.artifact()));
    for (Artifact a : artifacts) {
      Path f = store.localFile(m, a);
      long size;
      try {
        size = Files.size(f);
      } catch (NoSuchFileException e) {
        size = -1;
      }
      if (size != a.sizeBytes()) {
        Optional<ModelManifest> now = store.get(m.key());
        boolean stillPublished = now.isPresent()
            && (a.file().equals(FileSystemZooStore.CLASSIFIER_FILE) || now.get().generator().isPresent());
        if (stillPublished && now.get().equals(m)) {
          return m.key() + " is listed but " + a.file() + " has size " + size + " instead of " + a.sizeBytes();
        }
      }
    }
    return null;
  }

  @Test
  @Timeout(120)
  void readersNeverSeeAPartialVersion() throws Exception {
    FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
    byte[] classifier = randomBytes(300_000, 1);
    byte[] generator = randomBytes(100_000, 2);
    AtomicBoolean done = new AtomicBoolean();
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger checked = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> reader = pool.submit(() -> {
        while (!done.get()) {
          for (ModelManifest m : store.list()) {
            String v = check(store, m);
            if (v != null) {
              violations.add(v);
            }
            checked.incrementAndGet();
          }
          store.latest("m", true).ifPresent(m -> {
            if (m.generator().isEmpty()) {
              violations.add("latest(withGenerator) returned " + m.key() + " without a generator");
            }
          });
        }
        return null;
      });
      Future<?> writer = pool.submit((Callable<Void>) () -> {
        try {
          for (int i = 0; i < 40; i++) {
            String v = Integer.toString(i);
            ModelKey key = new ModelKey("m", v);
            store.registerClassifier(reg(v), new ByteArrayInputStream(classifier));
            store.registerGenerator(new GeneratorRegistration(key, null, "", ""), new ByteArrayInputStream(generator));
            if (i % 3 == 0) {
              store.delete(key, true);
            }
            if (i >= 2) {
              store.delete(new ModelKey("m", Integer.toString(i - 2)), false);
            }
          }
        } finally {
          done.set(true);
        }
        return null;
      });
      writer.get();
      reader.get();
    } finally {
      pool.shutdownNow();
    }
    assertTrue(violations.isEmpty(),
        violations.size() + " violations, first: " + violations.subList(0, Math.min(5, violations.size())));
    assertTrue(checked.get() > 0, "the reader checked nothing");
    assertEquals(List.of("38", "39"), store.list().stream().map(ModelManifest::version).toList());
    try (var s = Files.list(root.resolve(".staging"))) {
      assertEquals(0, s.count());
    }
    try (var s = Files.list(root.resolve(".trash"))) {
      assertEquals(0, s.count());
    }
  }

  @Test
  @Timeout(60)
  void concurrentRegistrationsOfTheSameVersionHaveOneWinner() throws Exception {
    FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
    int threads = 4;
    for (int round = 0; round < 5; round++) {
      String version = "r" + round;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<String>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte[] bytes = randomBytes(50_000, round * 100L + t);
        results.add(pool.submit(() -> {
          start.await();
          try {
            return store.registerClassifier(reg(version), new ByteArrayInputStream(bytes)).classifier().sha256();
          } catch (ZooException e) {
            assertEquals(ZooException.Reason.ALREADY_EXISTS, e.reason(), e.getMessage());
            return null;
          }
        }));
      }
      start.countDown();
      List<String> winners = new ArrayList<>();
      for (Future<String> f : results) {
        String sha = f.get();
        if (sha != null) {
          winners.add(sha);
        }
      }
      pool.shutdown();
      assertEquals(1, winners.size(), "winners of round " + round);
      ModelManifest published = store.get(new ModelKey("m", version)).orElseThrow();
      assertEquals(winners.get(0), published.classifier().sha256());
      assertEquals(winners.get(0), FileSystemZooStoreTest.sha256(
          Files.readAllBytes(store.localFile(published, published.classifier()))));
    }
    try (var s = Files.list(root.resolve(".staging"))) {
      assertEquals(0, s.count());
    }
  }

  /** An upload that blocks halfway until released, so another store can open meanwhile. */
  private static InputStream pausingStream(byte[] bytes, CountDownLatch halfway, CountDownLatch release) {
    return new java.io.SequenceInputStream(
        new ByteArrayInputStream(bytes, 0, bytes.length / 2),
        new InputStream() {
          private final InputStream rest = new ByteArrayInputStream(bytes, bytes.length / 2, bytes.length);
          private boolean paused;

          @Override
          public int read() throws java.io.IOException {
            pause();
            return rest.read();
          }

          @Override
          public int read(byte[] b, int off, int len) throws java.io.IOException {
            pause();
            return rest.read(b, off, len);
          }

          private void pause() throws java.io.IOException {
            if (!paused) {
              paused = true;
              halfway.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
            }
          }
        });
  }

  @Test
  @Timeout(60)
  void openingTheSameRootElsewhereLeavesRegistrationsInProgressAlone() throws Exception {
    // A server and `maskserve zoo ... --zoo DIR` share one root: the second open's crash recovery
    // must not remove what the first is uploading.
    FileSystemZooStore first = FileSystemZooStore.open(root, new StubValidator());
    first.registerClassifier(reg("1"), new ByteArrayInputStream(randomBytes(50_000, 1)));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch classifierHalfway = new CountDownLatch(1);
      CountDownLatch generatorHalfway = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<ModelManifest> classifier = pool.submit(() -> first.registerClassifier(
          reg("2"), pausingStream(randomBytes(200_000, 2), classifierHalfway, release)));
      Future<ModelManifest> generator = pool.submit(() -> first.registerGenerator(
          new GeneratorRegistration(new ModelKey("m", "1"), null, "", ""),
          pausingStream(randomBytes(200_000, 3), generatorHalfway, release)));
      assertTrue(classifierHalfway.await(20, TimeUnit.SECONDS));
      assertTrue(generatorHalfway.await(20, TimeUnit.SECONDS));

      FileSystemZooStore second = FileSystemZooStore.open(root, new StubValidator());
      release.countDown();
      assertEquals("2", classifier.get(20, TimeUnit.SECONDS).version());
      assertTrue(generator.get(20, TimeUnit.SECONDS).generator().isPresent());
      assertEquals(List.of("1", "2"), second.list().stream().map(ModelManifest::version).toList());
      assertTrue(second.get(new ModelKey("m", "1")).orElseThrow().generator().isPresent());
    } finally {
      pool.shutdownNow();
    }
    try (var s = Files.list(root.resolve(".staging"))) {
      assertEquals(0, s.count(), "owner files and staging dirs are removed once registrations finish");
    }
  }
}
