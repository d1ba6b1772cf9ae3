package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.testing.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kills a child JVM (SIGKILL) in the middle of store writes, then checks recovery in this JVM. */
class CrashSafetyTest {

  @TempDir Path root;

  /** Runs {@link CrashChild} in {@code mode} and kills it -9 once it reports the crash point. */
  private void runAndKill(String mode) throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Path stderr = root.getParent().resolve(root.getFileName() + "-child-stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-Dmaskserve.shared=" + SharedData.root(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Xmx256m", "-XX:TieredStopAtLevel=1", CrashChild.class.getName(), root.toString(), mode);
    pb.redirectError(stderr.toFile());
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.equals(CrashChild.MARK)) {
          break;
        }
      }
      assertTrue(lines.contains(CrashChild.MARK),
          "child did not reach the crash point; stdout " + lines + ", stderr " + Files.readString(stderr));
      p.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no finally blocks
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(stderr);
    }
  }

  private List<String> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  @Timeout(90)
  void killedDuringClassifierUploadLeavesNothing() throws Exception {
    runAndKill("classifier-upload");
    // The kill happened mid-upload: a partial file sits in staging, nothing is published.
    List<String> staged = entries(root.resolve(".staging")).stream().filter(e -> !e.endsWith(".owner")).toList();
    assertEquals(1, staged.size(), "one registration in progress");
    assertTrue(Files.exists(root.resolve(".staging").resolve(staged.get(0) + ".owner")),
        "its owner lock file was left behind, unlocked");
    Path partial = root.resolve(".staging").resolve(staged.get(0)).resolve(FileSystemZooStore.CLASSIFIER_FILE);
    assertTrue(Files.size(partial) < Files.size(SharedData.resnet20Onnx()), "upload was partial");
    assertFalse(Files.exists(root.resolve("m")));

    FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
    assertEquals(List.of(), store.list());
    assertEquals(List.of(), entries(root.resolve(".staging")));
    assertEquals(List.of(".lock", ".staging", ".trash"), entries(root));
    // The same version can now be registered.
    store.registerClassifier(SharedData.resnet20Registration("m", "1"),
        Files.newInputStream(SharedData.resnet20Onnx()));
    assertEquals(1, store.list().size());
  }

  @Test
  @Timeout(90)
  void killedBetweenGeneratorRenameAndManifestRenameLeavesNoGenerator() throws Exception {
    runAndKill("generator-between-renames");
    Path version = root.resolve("m/1");
    // The kill happened with generator.onnx in place but the old manifest still committed.
    assertTrue(Files.exists(version.resolve(FileSystemZooStore.GENERATOR_FILE)));
    ManifestCodec codec = new ManifestCodec();
    assertTrue(codec.read(version.resolve(FileSystemZooStore.MANIFEST_FILE)).generator().isEmpty());

    FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
    ModelManifest m = store.get(new ModelKey("m", "1")).orElseThrow();
    assertTrue(m.generator().isEmpty(), "generator must be invisible");
    assertEquals(SharedData.RESNET20_SHA256, m.classifier().sha256());
    assertTrue(store.latest("m", true).isEmpty());
    assertEquals(List.of(FileSystemZooStore.CLASSIFIER_FILE, FileSystemZooStore.MANIFEST_FILE), entries(version),
        "orphan generator and temp files removed");
    // A generator can be registered again.
    store.registerGenerator(new io.maskserve.zoo.GeneratorRegistration(m.key(), null, "", ""),
        new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}));
    assertTrue(store.get(m.key()).orElseThrow().generator().isPresent());
  }

  @Test
  @Timeout(90)
  void killedDuringDeleteFinishesTheDeleteAtOpen() throws Exception {
    runAndKill("delete-after-trash");
    assertEquals(1, entries(root.resolve(".trash")).size(), "the version was moved to the trash");
    FileSystemZooStore store = FileSystemZooStore.open(root, new StubValidator());
    assertEquals(List.of("2"), store.list().stream().map(ModelManifest::version).toList());
    assertEquals(List.of(), entries(root.resolve(".trash")));
    assertEquals(List.of("2"), entries(root.resolve("m")));
  }
}
