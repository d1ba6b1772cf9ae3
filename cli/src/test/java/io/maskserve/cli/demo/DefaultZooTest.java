package io.maskserve.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the embedded zoo from a folder or a jar on the classpath, and the shipped index. */
class DefaultZooTest {

  /** The source folder of the embedded zoo (surefire runs in the module directory). */
  static final Path SHIPPED = Path.of("src/main/resources", DefaultZoo.RESOURCE_ROOT);

  private static final String INDEX = "# header\n\nmodel/1/manifest.json\n  model/1/classifier.onnx  \n"
      + "# comment\nmodel/1/manifest.json\ntop.bin\n";

  private static Map<String, byte[]> files() {
    Map<String, byte[]> m = new TreeMap<>();
    m.put("index.txt", INDEX.getBytes(StandardCharsets.UTF_8));
    m.put("README.md", "not extracted".getBytes(StandardCharsets.UTF_8));
    m.put("model/1/manifest.json", "{\"name\":\"model\"}".getBytes(StandardCharsets.UTF_8));
    m.put("model/1/classifier.onnx", new byte[] {0, 1, 2, 3, (byte) 255});
    m.put("top.bin", new byte[70_000]);
    return m;
  }

  /** A classpath folder {@code dir/<root>/...} holding {@code files}. */
  static Path folder(Path dir, String root, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path p = dir.resolve(root).resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    return dir;
  }

  /** A jar with the entries {@code <root>/<file>}. */
  static Path jar(Path file, String root, Map<String, byte[]> files) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        jar.putNextEntry(new JarEntry(root + "/" + e.getKey()));
        jar.write(e.getValue());
        jar.closeEntry();
      }
    }
    return file;
  }

  static URLClassLoader loader(Path classpathEntry) throws IOException {
    return new URLClassLoader(new URL[] {classpathEntry.toUri().toURL()}, null);
  }

  private static void assertExtracted(DefaultZoo.Extracted z) throws IOException {
    assertEquals(List.of("model/1/manifest.json", "model/1/classifier.onnx", "top.bin"), z.files());
    for (String f : z.files()) {
      assertArrayEquals(files().get(f), Files.readAllBytes(z.dir().resolve(f)), f);
    }
    assertFalse(Files.exists(z.dir().resolve("README.md")));
    assertFalse(Files.exists(z.dir().resolve("index.txt")));
  }

  @Test
  void extractsFromAFolderAndFromAJarAndDeletesOnClose(@TempDir Path dir) throws Exception {
    Path temp = Files.createDirectories(dir.resolve("temp"));
    try (URLClassLoader fromFolder = loader(folder(dir.resolve("classes"), "zoo-res", files()));
        URLClassLoader fromJar = loader(jar(dir.resolve("zoo.jar"), "zoo-res", files()))) {
      for (ClassLoader l : List.of(fromFolder, fromJar)) {
        Path extracted;
        try (DefaultZoo.Extracted z = DefaultZoo.extract(l, "zoo-res", temp)) {
          extracted = z.dir();
          assertEquals(temp, extracted.getParent());
          assertExtracted(z);
        }
        assertFalse(Files.exists(extracted), "deleted on close");
      }
    }
  }

  @Test
  void missingOrEmptyOrIncompleteZooIsAClearError(@TempDir Path dir) throws Exception {
    Path temp = Files.createDirectories(dir.resolve("temp"));
    try (URLClassLoader nothing = new URLClassLoader(new URL[0], null)) {
      DemoException e = assertThrows(DemoException.class, () -> DefaultZoo.extract(nothing, "default-zoo", temp));
      assertTrue(e.getMessage().startsWith("the embedded default zoo is missing from this build (no "
          + "default-zoo/index.txt on the classpath)"), e.getMessage());
    }
    try (URLClassLoader empty = loader(folder(dir.resolve("empty"), "z", Map.of("index.txt",
        "# nothing yet\n\n".getBytes(StandardCharsets.UTF_8))))) {
      DemoException e = assertThrows(DemoException.class, () -> DefaultZoo.extract(empty, "z", temp));
      assertTrue(e.getMessage().startsWith("this build embeds no default model (z/index.txt lists no files)"),
          e.getMessage());
    }
    Map<String, byte[]> incomplete = files();
    incomplete.remove("top.bin");
    try (URLClassLoader l = loader(jar(dir.resolve("incomplete.jar"), "z", incomplete))) {
      DemoException e = assertThrows(DemoException.class, () -> DefaultZoo.extract(l, "z", temp));
      assertEquals("the embedded default zoo is incomplete: z/top.bin is listed in z/index.txt but missing"
          + " from the classpath", e.getMessage());
    }
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(0, left.count(), "a failed extraction leaves nothing behind");
    }
  }

  @Test
  void indexEntriesMustStayInsideTheFolder() throws Exception {
    for (String bad : List.of("/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "C:/x", ".lock",
        "synth/.staging/x", "a/")) {
      assertNotNull(DefaultZoo.problemWith(bad), bad);
      DemoException e = assertThrows(DemoException.class, () -> DefaultZoo.parseIndex(
          new ByteArrayInputStream(("ok.txt\n" + bad + "\n").getBytes(StandardCharsets.UTF_8)), "i.txt"));
      assertTrue(e.getMessage().startsWith("i.txt line 2: '" + bad + "' "), e.getMessage());
    }
    assertNull(DefaultZoo.problemWith("synth/1/generator.onnx"));
  }

  @Test
  void indexEntriesOfAFolderSkipTheIndexReadmeAndHiddenFiles(@TempDir Path dir) throws Exception {
    Map<String, byte[]> f = files();
    f.put(".lock", new byte[0]);
    f.put(".staging/x/classifier.onnx", new byte[1]);
    f.put("model/1/.generator-abc.tmp", new byte[1]);
    Path root = folder(dir, "z", f).resolve("z");
    assertEquals(List.of("model/1/classifier.onnx", "model/1/manifest.json", "top.bin"), DefaultZoo.indexEntries(root));
  }

  /**
   * The shipped index lists exactly the shipped files (see default-zoo/README.md to regenerate it),
   * and both are on the classpath.
   */
  @Test
  void shippedIndexMatchesTheFolder() throws Exception {
    assertTrue(Files.isRegularFile(SHIPPED.resolve(DefaultZoo.INDEX_FILE)), "run from the cli module");
    List<String> expected = DefaultZoo.indexEntries(SHIPPED);
    List<String> listed;
    try (var in = Files.newInputStream(SHIPPED.resolve(DefaultZoo.INDEX_FILE))) {
      listed = DefaultZoo.parseIndex(in, DefaultZoo.INDEX_FILE).stream().sorted().toList();
    }
    assertEquals(expected, listed, "default-zoo/index.txt does not match the folder; it should list:\n"
        + String.join("\n", expected) + "\n(regenerate it as default-zoo/README.md says)");
    try (Stream<Path> all = Files.walk(SHIPPED)) {
      List<String> hidden = all.map(p -> SHIPPED.relativize(p).toString())
          .filter(p -> p.startsWith(".") || p.contains("/.")).toList();
      assertEquals(List.of(), hidden, "zoo bookkeeping files do not belong in the embedded zoo");
    }
    ClassLoader cl = DefaultZoo.class.getClassLoader();
    assertNotNull(cl.getResource(DefaultZoo.RESOURCE_ROOT + "/" + DefaultZoo.INDEX_FILE));
    for (String f : expected) {
      assertNotNull(cl.getResource(DefaultZoo.RESOURCE_ROOT + "/" + f), f);
    }
  }
}
