package io.maskserve.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The model zoo embedded in the distribution (classpath folder {@value #RESOURCE_ROOT}), extracted
 * into a fresh directory because the on-disk zoo store writes lock files into its root.
 *
 * <p>A jar cannot list a classpath folder reliably, so the folder holds an index, {@value
 * #INDEX_FILE}: one file path per line, relative to the folder, {@code /}-separated; blank lines
 * and lines starting with {@code #} are ignored. Paths must not leave the folder nor name hidden
 * files ({@code .lock}, {@code .staging}, ...). {@link #indexEntries(Path)} computes the entries
 * a folder should list (every regular file except {@code README.md}, the index itself and hidden
 * files); a test checks that the shipped index matches the shipped folder.
 */
public final class DefaultZoo {

  /** Classpath folder of the embedded zoo. */
  public static final String RESOURCE_ROOT = "default-zoo";

  /** Name of the index inside {@link #RESOURCE_ROOT}. */
  public static final String INDEX_FILE = "index.txt";

  /** Files of the folder that are not part of the zoo. */
  public static final List<String> NOT_IN_ZOO = List.of(INDEX_FILE, "README.md");

  private static final int MAX_ENTRIES = 10_000;

  private DefaultZoo() {}

  /** An extracted zoo; {@link #close()} deletes the directory. */
  public static final class Extracted implements AutoCloseable {
    private final Path dir;
    private final List<String> files;

    Extracted(Path dir, List<String> files) {
      this.dir = dir;
      this.files = List.copyOf(files);
    }

    /** The zoo's root directory. */
    public Path dir() {
      return dir;
    }

    /** The extracted files, relative to {@link #dir()}, in index order. */
    public List<String> files() {
      return files;
    }

    /** Deletes the directory and everything in it (best effort; never throws). */
    @Override
    public void close() {
      deleteRecursively(dir);
    }
  }

  /**
   * Extracts the zoo embedded under {@code resourceRoot} of {@code loader} into a new temporary
   * directory.
   *
   * @param loader where the zoo's resources are looked up
   * @param resourceRoot the classpath folder, e.g. {@value #RESOURCE_ROOT}
   * @param tempParent where the temporary directory is created; {@code null} = the system's
   * @return the extracted zoo, to be closed (deleted) by the caller
   * @throws DemoException if the index is missing, lists nothing, is malformed, or lists a file
   *     that is not on the classpath
   * @throws UncheckedIOException if the files cannot be written
   */
  public static Extracted extract(ClassLoader loader, String resourceRoot, Path tempParent) {
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(resourceRoot, "resourceRoot");
    String indexName = resourceRoot + "/" + INDEX_FILE;
    List<String> entries;
    try (InputStream in = loader.getResourceAsStream(indexName)) {
      if (in == null) {
        throw new DemoException("the embedded default zoo is missing from this build (no " + indexName
            + " on the classpath); use --zoo DIR with a zoo whose model has a generator");
      }
      entries = parseIndex(in, indexName);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + indexName + ": " + e.getMessage(), e);
    }
    if (entries.isEmpty()) {
      throw new DemoException("this build embeds no default model (" + indexName
          + " lists no files); use --zoo DIR with a zoo whose model has a generator");
    }
    Path dir;
    try {
      dir = tempParent == null
          ? Files.createTempDirectory("maskserve-demo-zoo-")
          : Files.createTempDirectory(tempParent, "maskserve-demo-zoo-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the default zoo: " + e.getMessage(), e);
    }
    try {
      for (String entry : entries) {
        copy(loader, resourceRoot + "/" + entry, dir.resolve(entry), indexName);
      }
    } catch (RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
    return new Extracted(dir, entries);
  }

  private static void copy(ClassLoader loader, String resource, Path target, String indexName) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new DemoException("the embedded default zoo is incomplete: " + resource + " is listed in "
            + indexName + " but missing from the classpath");
      }
      Files.createDirectories(target.getParent());
      Files.copy(in, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + resource + " to " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * The entries of an index: relative file paths in file order, duplicates removed.
   *
   * @throws DemoException if an entry is not a safe relative path
   */
  public static List<String> parseIndex(InputStream in, String indexName) throws IOException {
    List<String> out = new ArrayList<>();
    TreeSet<String> seen = new TreeSet<>();
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    int lineNo = 0;
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      lineNo++;
      String entry = line.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      String problem = problemWith(entry);
      if (problem != null) {
        throw new DemoException(indexName + " line " + lineNo + ": '" + entry + "' " + problem);
      }
      if (seen.add(entry)) {
        out.add(entry);
      }
      if (out.size() > MAX_ENTRIES) {
        throw new DemoException(indexName + " lists more than " + MAX_ENTRIES + " files");
      }
    }
    return out;
  }

  /** Why {@code entry} is not acceptable as an index entry, or null if it is. */
  static String problemWith(String entry) {
    if (entry.startsWith("/") || entry.contains("\\") || entry.contains(":")) {
      return "is not a relative '/'-separated path";
    }
    for (String segment : entry.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "is not a normalised relative path";
      }
      if (segment.startsWith(".")) {
        return "names a hidden file (zoo bookkeeping such as .lock or .staging is not embedded)";
      }
    }
    return null;
  }

  /**
   * What the index of the zoo folder {@code dir} should list: every regular file below it, as a
   * {@code /}-separated relative path, except {@link #NOT_IN_ZOO} at the top and hidden files or
   * folders; sorted.
   */
  public static List<String> indexEntries(Path dir) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!Files.isRegularFile(p)) {
          continue;
        }
        String rel = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        if (NOT_IN_ZOO.contains(rel) || rel.startsWith(".") || rel.contains("/.")) {
          continue;
        }
        out.add(rel);
      }
    }
    return List.copyOf(out);
  }

  /** Deletes {@code dir} and everything below it; best effort, never throws. */
  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a file that cannot be deleted stays behind
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
