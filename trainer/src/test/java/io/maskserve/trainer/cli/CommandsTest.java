package io.maskserve.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.trainer.synth.SynthTask;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands wired end to end on tiny inputs (an untrained classifier: plumbing, not quality). */
class CommandsTest {

  @Test
  void synthTrainExportRegister(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("scenes");
    String out = run(new SynthCommand(), "--out", data.toString(), "--count", "20", "--seed", "3", "--size", "32",
        "--no-train-classifier");
    assertTrue(out.contains("wrote 20 scenes"), out);
    assertTrue(Files.isRegularFile(data.resolve("ring").resolve("000004.mask.png")));

    Path zoo = tmp.resolve("zoo");
    byte[] classifier = io.maskserve.trainer.testing.TinyClassifiers.untrainedSynth(32);
    FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment())).registerClassifier(
        new ClassifierRegistration("synth", "1", ShapeClass.labels(), SynthTask.inputSpec(32), "", ""),
        new ByteArrayInputStream(classifier));

    Path ckpt = tmp.resolve("ckpt");
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--eval", data.toString(), "--out", ckpt.toString(), "--steps", "3", "--batch-size", "4", "--samples", "2",
        "--width", "4", "--register");
    assertTrue(out.contains("registered the generator of synth:1"), out);
    assertTrue(out.contains("pointing"), out);
    assertEquals(4, Files.readAllLines(ckpt.resolve("metrics.csv")).size());
    assertEquals(3, Files.readAllLines(ckpt.resolve("metrics.jsonl")).size());

    // The same --out again is refused; --resume with more steps continues the stored run.
    refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(), "--out",
        ckpt.toString(), "--steps", "3", "--batch-size", "4", "--samples", "2", "--width", "4");
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", ckpt.toString(), "--steps", "5", "--batch-size", "4", "--samples", "2", "--width", "4", "--resume");
    assertTrue(out.contains("resuming on 20 images of synth:1, steps 4..5"), out);
    assertEquals(6, Files.readAllLines(ckpt.resolve("metrics.csv")).size());

    // The paper objective, from a list file.
    Files.writeString(tmp.resolve("list.txt"), listFile(data));
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data",
        tmp.resolve("list.txt").toString(), "--out", tmp.resolve("paper").toString(), "--steps", "2",
        "--batch-size", "4", "--width", "4", "--objective", "paper");
    assertTrue(out.contains("paper objective"), out);
    assertTrue(Files.isRegularFile(tmp.resolve("paper").resolve("generator.onnx")));
    assertTrue(run(new TrainCommand(), "--help").contains("--resume"));

    // Nested budgets: recorded with the run; refused with the paper objective, which has no samples.
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("nested").toString(), "--steps", "2", "--batch-size", "4", "--samples", "3",
        "--width", "4", "--nested-exponents", "1,2,4");
    assertTrue(Files.readString(tmp.resolve("nested").resolve("run.properties")).contains("nestedExponents"));
    String refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data",
        data.toString(), "--out", tmp.resolve("nested-paper").toString(), "--steps", "2", "--objective", "paper",
        "--nested-exponents", "1,2");
    assertTrue(refused.contains("--nested-exponents"), refused);

    // Destroyer samples and flips: recorded with the run; destroyers refused without a deletion weight.
    run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("destroy").toString(), "--steps", "2", "--batch-size", "4", "--samples", "4",
        "--width", "4", "--destroyer-budgets", "0.1,0.2", "--lambda-deletion", "2", "--hflip");
    String recorded = Files.readString(tmp.resolve("destroy").resolve("run.properties"));
    assertTrue(recorded.contains("destroyerBudgets=[0.1, 0.2]") && recorded.contains("hflip=true"), recorded);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("destroy-b0").toString(), "--steps", "2", "--samples", "4", "--destroyer-budgets", "0.1");
    assertTrue(refused.contains("deletion weight"), refused);
    // Inserter samples beside the destroyers: three kinds take turns, recorded with their weight.
    run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("insert").toString(), "--steps", "2", "--batch-size", "4", "--samples", "6",
        "--width", "4", "--destroyer-budgets", "0.1", "--lambda-deletion", "2", "--inserter-budgets", "0.05,0.1",
        "--lambda-insertion", "3", "--estimator", "REINFORCE");
    recorded = Files.readString(tmp.resolve("insert").resolve("run.properties"));
    assertTrue(recorded.contains("inserterBudgets=[0.05, 0.1]") && recorded.contains("lambdaInsertion=3.0"), recorded);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("insert-k4").toString(), "--steps", "2", "--samples", "4", "--destroyer-budgets", "0.1",
        "--lambda-deletion", "2", "--inserter-budgets", "0.1", "--lambda-insertion", "1");
    assertTrue(refused.contains("multiple of 3"), refused);

    // Removal ranking: with the paper objective too, recorded with the run; one cell is refused.
    run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("ranking").toString(), "--steps", "2", "--batch-size", "4", "--width", "4",
        "--objective", "paper", "--removal-ranking", "4", "--lambda-ranking", "3");
    recorded = Files.readString(tmp.resolve("ranking").resolve("run.properties"));
    assertTrue(recorded.contains("removalRanking=4") && recorded.contains("lambdaRanking=3.0"), recorded);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("ranking-1").toString(), "--steps", "2", "--removal-ranking", "1");
    assertTrue(refused.contains("--removal-ranking"), refused);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("ranking-x").toString(), "--steps", "2", "--removal-ranking", "most");
    assertTrue(refused.contains("'all'"), refused);
    // Dense: every cell, effects cached per image (with mirrored images too).
    run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("ranking-all").toString(), "--steps", "2", "--batch-size", "4", "--width", "4",
        "--removal-ranking", "ALL", "--lambda-ranking", "2", "--hflip");
    recorded = Files.readString(tmp.resolve("ranking-all").resolve("run.properties"));
    assertTrue(recorded.contains("removalRanking=all") && recorded.contains("lambdaRanking=2.0"), recorded);

    // The rise objective: recorded with the run and its generator registered at the additive fit's
    // threshold; reinforce-only options and a single sample for the additive fit are refused.
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("rise").toString(), "--steps", "2", "--batch-size", "4", "--samples", "3",
        "--width", "4", "--objective", "RISE", "--rise-grid", "4", "--rise-keep", "0.6");
    assertTrue(out.contains("rise/ADDITIVE, grid 4, keep 0.6"), out);
    recorded = Files.readString(tmp.resolve("rise").resolve("run.properties"));
    assertTrue(recorded.contains("objective=rise") && recorded.contains("riseFit=ADDITIVE")
        && recorded.contains("riseGrid=4") && recorded.contains("riseKeep=0.6"), recorded);
    // Two families of masks (a keep value shared); lists of different lengths are refused.
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("rise-two").toString(), "--steps", "1", "--batch-size", "4", "--samples", "2",
        "--width", "4", "--objective", "rise", "--rise-grid", "4,8", "--rise-keep", "0.6");
    assertTrue(out.contains("grid 4,8, keep 0.6"), out);
    String two = Files.readString(tmp.resolve("rise-two").resolve("run.properties"));
    assertTrue(two.contains("riseGrid=4,8") && two.contains("riseKeep=0.6"), two);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("rise-bad").toString(), "--steps", "1", "--samples", "3", "--objective", "rise",
        "--rise-grid", "4,8,16", "--rise-keep", "0.5,0.9");
    assertTrue(refused.contains("as many values"), refused);
    // The default substrate is not recorded, so runs from before the option still resume.
    assertFalse(recorded.contains("substrate"), recorded);
    // RISE's own estimate needs no second sample (reinforce would); another substrate is recorded.
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("rise-mean").toString(), "--steps", "1", "--batch-size", "4", "--samples", "1",
        "--width", "4", "--objective", "rise", "--rise-fit", "MEAN", "--substrate", "MIXED");
    assertTrue(out.contains("substrate MIXED"), out);
    recorded = Files.readString(tmp.resolve("rise-mean").resolve("run.properties"));
    assertTrue(recorded.contains("riseFit=MEAN") && recorded.contains("substrate=MIXED"), recorded);
    // Reinforce's keep samples on the blurred image: REINFORCE only; paper has no such option.
    out = run(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("keep-blur").toString(), "--steps", "1", "--batch-size", "4", "--width", "4",
        "--estimator", "REINFORCE", "--substrate", "BLUR");
    assertTrue(out.contains("keep samples on substrate BLUR"), out);
    assertTrue(Files.readString(tmp.resolve("keep-blur").resolve("run.properties")).contains("substrate=BLUR"));
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("keep-muprop").toString(), "--steps", "2", "--substrate", "BLUR");
    assertTrue(refused.contains("needs --estimator REINFORCE"), refused);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("paper-blur").toString(), "--steps", "2", "--objective", "paper", "--substrate", "BLUR");
    assertTrue(refused.contains("not to --objective paper"), refused);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("rise-d").toString(), "--steps", "2", "--objective", "rise", "--lambda-deletion", "2");
    assertTrue(refused.contains("not to --objective rise"), refused);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("rise-1").toString(), "--steps", "2", "--objective", "rise", "--samples", "1");
    assertTrue(refused.contains("samples must be >= 2"), refused);
    refused = refused(new TrainCommand(), "--zoo", zoo.toString(), "--model", "synth", "--data", data.toString(),
        "--out", tmp.resolve("rise-x").toString(), "--steps", "2", "--objective", "rise-ish");
    assertTrue(refused.contains("reinforce, paper or rise"), refused);

    Path onnx = tmp.resolve("exported.onnx");
    out = run(new ExportCommand(), "--checkpoint", ckpt.toString(), "--out", onnx.toString());
    assertTrue(out.contains("wrote"), out);
    // The checkpoint round trip reproduces the generator exactly.
    assertArrayEquals(Files.readAllBytes(ckpt.resolve("generator.onnx")), Files.readAllBytes(onnx));
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    assertEquals(16, store.get(new ModelKey("synth", "1")).orElseThrow().generator().orElseThrow().outputHeight());
  }

  /** A list file naming every image under {@code dir}, relative to the list's directory. */
  private static String listFile(Path dir) throws Exception {
    StringBuilder sb = new StringBuilder("# path label\n");
    try (var files = Files.walk(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".png") && !f.toString().endsWith(".mask.png")).sorted()
          .toList()) {
        sb.append(dir.getParent().relativize(p)).append(' ').append(p.getParent().getFileName()).append('\n');
      }
    }
    return sb.toString();
  }

  /** Runs a command that must fail with exit code 1; returns its stderr. */
  static String refused(Object command, String... args) {
    StringWriter err = new StringWriter();
    int code = new CommandLine(command).setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
    assertEquals(1, code, "exit code; stderr: " + err);
    return err.toString();
  }

  /** Runs a command, asserting exit code 0; its standard output. */
  static String run(Object command, String... args) {
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
