package io.maskserve.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.run.RunDirectory;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.trainer.synth.SynthTask;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train} in a child JVM with a checkpoint after every step (so most of its time is spent
 * writing trainer.state, generator.properties and generator.params), killed with SIGKILL at
 * random moments five times and resumed each time. After every kill the checkpoint files are
 * whole (the run resumes from them) and temp files of interrupted writes are removed when it
 * resumes; at the end every step is in the metrics exactly once and the exported checkpoint
 * reproduces generator.onnx. (The CI smoke test kills one run at a random moment with a checkpoint
 * every 5 steps.)
 */
class KillDuringCheckpointTest {

  /** Entry point of the child JVM. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new TrainCommand()).execute(args));
  }

  private static final int STEPS = 60;

  private static List<String> trainArgs(Path zoo, Path data, Path out) {
    return List.of("--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(), "--out", out.toString(),
        "--steps", Integer.toString(STEPS), "--checkpoint-every", "1", "--batch-size", "4", "--samples", "2",
        "--width", "4");
  }

  private static List<String> tempFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && n.endsWith(".tmp")).sorted()
          .toList();
    }
  }

  private static int metricRows(Path out) {
    try {
      return Files.readAllLines(out.resolve("metrics.csv")).size() - 1;
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  void killedMidCheckpointFiveTimesTheRunResumesWithConsistentFiles(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("scenes");
    run(new SynthCommand(), "--out", data.toString(), "--count", "20", "--seed", "3", "--size", "32",
        "--no-train-classifier");
    Path zoo = tmp.resolve("zoo");
    FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment())).registerClassifier(
        new ClassifierRegistration("synth", "1", ShapeClass.labels(), SynthTask.inputSpec(32), "", ""),
        new ByteArrayInputStream(io.maskserve.trainer.testing.TinyClassifiers.untrainedSynth(32)));
    Path out = tmp.resolve("run");
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Random random = new Random(42);
    int tempFilesSeen = 0;
    List<Integer> killedAt = new ArrayList<>();
    for (int kill = 0; kill < 5; kill++) {
      List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx768m", "-cp",
          System.getProperty("java.class.path"), KillDuringCheckpointTest.class.getName()));
      cmd.addAll(trainArgs(zoo, data, out));
      if (kill > 0) {
        cmd.add("--resume");
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      try {
        // Let it take a few steps past where it started, then kill it at a random moment.
        int target = metricRows(out) + 3;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (metricRows(out) < target && p.isAlive() && System.nanoTime() < until) {
          Thread.sleep(5);
        }
        assertTrue(p.isAlive(), "the run ended before the kill (exit " + (p.isAlive() ? "" : p.exitValue()) + ")");
        Thread.sleep(random.nextInt(40));
      } finally {
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      }
      assertEquals(137, p.exitValue());
      killedAt.add(metricRows(out));
      assertTrue(new RunDirectory(out).hasState(), "a checkpoint exists after kill " + kill);
      assertTrue(Files.isRegularFile(out.resolve("generator.params")) && Files.isRegularFile(out.resolve(
          "generator.properties")), "the exportable generator exists after kill " + kill);
      if (!tempFiles(out).isEmpty()) {
        tempFilesSeen++;
      }
      // The generator files on disk are whole at every moment: export reads them.
      run(new ExportCommand(), "--checkpoint", out.toString(), "--out", tmp.resolve("after-kill-" + kill + ".onnx")
          .toString());
    }
    System.out.println("killed after metrics rows " + killedAt + "; " + tempFilesSeen
        + " of 5 kills interrupted a checkpoint write (temp file left)");

    // Resume to the end in this JVM.
    List<String> resume = new ArrayList<>(trainArgs(zoo, data, out));
    resume.add("--resume");
    String log = run(new TrainCommand(), resume.toArray(String[]::new));
    assertTrue(log.contains("resuming on"), log);
    assertEquals(List.of(), tempFiles(out), "the resumed run removed the temp files of interrupted writes");
    List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals(IntStream.rangeClosed(1, STEPS).mapToObj(Integer::toString).toList(),
        rows.subList(1, rows.size()).stream().map(r -> r.substring(0, r.indexOf(','))).toList(),
        "every step logged exactly once");
    assertEquals(STEPS, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    Path exported = tmp.resolve("exported.onnx");
    run(new ExportCommand(), "--checkpoint", out.toString(), "--out", exported.toString());
    assertArrayEquals(Files.readAllBytes(out.resolve("generator.onnx")), Files.readAllBytes(exported),
        "the final checkpoint's generator is the one written as generator.onnx");
  }

  private static String run(Object command, String... args) {
    StringWriter sw = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(sw));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    assertEquals(0, code, "exit code; stderr: " + err + " stdout: " + sw);
    return sw.toString();
  }
}
