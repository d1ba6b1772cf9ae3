package io.maskserve.trainer.run;

import ai.djl.MalformedModelException;
import io.maskserve.trainer.reinforce.GeneratorCheckpoint;
import io.maskserve.trainer.reinforce.Trainer;
import io.maskserve.zoo.fs.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The output directory of {@code maskserve train}:
 *
 * <ul>
 *   <li>{@code run.properties}: the run's settings, written when it starts; a resume must use the
 *       same ones (only the number of steps may grow);
 *   <li>{@code trainer.state}: the resumable state (step, generator parameters, Adam's moments);
 *   <li>{@code generator.properties} + {@code generator.params}: the generator alone, what {@code
 *       export} reads ({@link GeneratorCheckpoint});
 *   <li>{@code metrics.csv}, {@code metrics.jsonl} ({@link MetricsLog}), {@code generator.onnx}.
 * </ul>
 *
 * Every file is replaced atomically (temp file, fsync, rename), so a kill at any moment leaves the
 * previous checkpoint whole: at most one checkpoint interval of training is lost. A kill in the
 * middle of a write leaves its temp file ({@code .<name>-<uuid>.tmp}) behind; {@link #begin}
 * removes such leftovers, so repeated kills do not pile them up.
 */
public final class RunDirectory {

  /** Settings file name. */
  public static final String SETTINGS = "run.properties";
  /** Resumable state file name. */
  public static final String STATE = "trainer.state";
  /** Settings that may differ between a run and its resume. */
  private static final Set<String> MUTABLE = Set.of("steps");

  private final Path dir;

  /**
   * @param dir the directory (created when the run starts)
   */
  public RunDirectory(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** The directory. */
  public Path path() {
    return dir;
  }

  /** Whether a resumable state exists. */
  public boolean hasState() {
    return Files.isRegularFile(dir.resolve(STATE));
  }

  /**
   * Starts or resumes the run's bookkeeping: a fresh run writes its settings (and refuses a
   * directory that already holds a run, which would be overwritten); a resumed run checks that
   * its settings match the stored ones.
   *
   * @param settings the run's settings, as strings
   * @param resume whether to continue the stored run
   */
  public void begin(Map<String, String> settings, boolean resume) {
    Path file = dir.resolve(SETTINGS);
    if (resume) {
      if (!hasState()) {
        throw new IllegalArgumentException("--resume: " + dir + " holds no checkpoint (" + STATE + ")");
      }
      Map<String, String> stored = readSettings(file);
      Set<String> keys = new TreeSet<>(stored.keySet());
      keys.addAll(settings.keySet());
      StringBuilder diff = new StringBuilder();
      for (String k : keys) {
        if (!MUTABLE.contains(k) && !Objects.equals(stored.get(k), settings.get(k))) {
          diff.append(diff.length() == 0 ? "" : ", ").append(k).append(": ").append(stored.get(k)).append(" -> ")
              .append(settings.get(k));
        }
      }
      if (diff.length() > 0) {
        throw new IllegalArgumentException("--resume with other settings than the stored run (" + diff
            + "); use the original options");
      }
    } else if (hasState()) {
      throw new IllegalArgumentException(dir + " already holds a training run; pass --resume to continue it, or"
          + " choose another --out");
    }
    removeTempFiles();
    Properties p = new Properties();
    p.putAll(settings);
    write(file, out -> p.store(new OutputStreamWriter(out, StandardCharsets.UTF_8), "maskserve train settings"));
  }

  /** Temp files of {@link AtomicFiles#write}: {@code .<name>-<uuid>.tmp}. */
  private static final java.util.regex.Pattern TEMP_FILE = java.util.regex.Pattern.compile(
      "\\..+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

  /**
   * Deletes the temp files a run killed in the middle of a write left behind (each as large as
   * the file it was replacing). One run uses a directory at a time, so none is in use.
   */
  private void removeTempFiles() {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> TEMP_FILE.matcher(f.getFileName().toString()).matches()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> readSettings(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  /** Writes the trainer's resumable state and the exportable generator. */
  public void checkpoint(Trainer trainer, GeneratorCheckpoint architecture) {
    write(dir.resolve(STATE), out -> {
      DataOutputStream data = new DataOutputStream(out);
      trainer.saveState(data);
      data.flush();
    });
    architecture.write(dir, trainer.generator());
  }

  /** Loads the stored state into {@code trainer}; returns the step it resumes from. */
  public int restore(Trainer trainer) {
    Path file = dir.resolve(STATE);
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      trainer.loadState(in);
      return trainer.stepsDone();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (MalformedModelException e) {
      throw new IllegalArgumentException("corrupt checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  private void write(Path file, AtomicFiles.Content body) {
    try {
      Files.createDirectories(dir);
      AtomicFiles.write(file, body);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
