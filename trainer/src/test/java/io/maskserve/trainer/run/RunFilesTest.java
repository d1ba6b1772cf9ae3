package io.maskserve.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.trainer.reinforce.StepStats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run directory's bookkeeping: metrics across a resume, settings checks, progress lines. */
class RunFilesTest {

  private static StepStats stats(int step) {
    return new StepStats(step, -1.0 / step, -0.5, 0.4, 0.1, 100);
  }

  @Test
  void resumingDropsRowsWrittenAfterTheCheckpoint(@TempDir Path dir) throws Exception {
    try (MetricsLog log = MetricsLog.open(dir, 0)) {
      for (int s = 1; s <= 7; s++) {
        log.append(stats(s));
      }
    }
    // A crash tore the last JSON line.
    Files.writeString(dir.resolve(MetricsLog.JSONL), Files.readString(dir.resolve(MetricsLog.JSONL)) + "{\"step\":8,\"rew");
    try (MetricsLog log = MetricsLog.open(dir, 5)) {
      log.append(stats(6));
    }
    List<String> csv = Files.readAllLines(dir.resolve(MetricsLog.CSV));
    assertEquals(MetricsLog.HEADER, csv.get(0));
    assertEquals(7, csv.size(), "header + steps 1..6: " + csv);
    assertTrue(csv.get(6).startsWith("6,"));
    List<String> json = Files.readAllLines(dir.resolve(MetricsLog.JSONL));
    assertEquals(6, json.size(), json.toString());
    assertTrue(json.get(5).startsWith("{\"step\":6,"), json.get(5));
    // A fresh run starts an empty log.
    try (MetricsLog log = MetricsLog.open(dir, 0)) {
      log.append(stats(1));
    }
    assertEquals(2, Files.readAllLines(dir.resolve(MetricsLog.CSV)).size());
  }

  @Test
  void aRunDirectoryIsNeverSilentlyOverwrittenOrResumedWithOtherSettings(@TempDir Path tmp) throws Exception {
    RunDirectory run = new RunDirectory(tmp.resolve("run"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> run.begin(Map.of("lr", "0.1", "steps", "10"), true));
    assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
    run.begin(Map.of("lr", "0.1", "steps", "10"), false);
    Files.write(tmp.resolve("run").resolve(RunDirectory.STATE), new byte[] {1});
    e = assertThrows(IllegalArgumentException.class, () -> run.begin(Map.of("lr", "0.1", "steps", "10"), false));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> run.begin(Map.of("lr", "0.2", "steps", "10"), true));
    assertTrue(e.getMessage().contains("lr: 0.1 -> 0.2"), e.getMessage());
    // More steps is the one change a resume may make.
    run.begin(Map.of("lr", "0.1", "steps", "20"), true);
  }

  @Test
  void progressPrintsEveryFivePercentOffATerminal() {
    StringWriter sw = new StringWriter();
    Progress p = new Progress(new PrintWriter(sw), 0, 40, false);
    for (int s = 1; s <= 40; s++) {
      p.update(stats(s));
    }
    String[] lines = sw.toString().split("\n");
    assertEquals(20, lines.length);
    assertTrue(lines[19].contains("step 40/40") && lines[19].contains("ETA") && lines[19].contains("keep 0.400"),
        lines[19]);
    assertTrue(lines[19].startsWith("[########################]"), lines[19]);
    assertEquals("1h01m", Progress.format(Duration.ofSeconds(3660 + 30)));
    assertEquals("2m05s", Progress.format(Duration.ofSeconds(125)));
  }
}
