package io.maskserve.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Encoded images read from a folder tree, for sending as requests. */
public final class BenchImages {

  private BenchImages() {}

  /**
   * Up to {@code max} image files (PNG, JPEG, BMP) under {@code dir}, evenly spread over the sorted
   * list, object masks ({@code *.mask.png}, as {@code maskserve synth} writes them) skipped.
   *
   * @throws IllegalArgumentException if there is none
   */
  public static List<byte[]> load(Path dir, int max) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).filter(BenchImages::isImage).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no images under " + dir);
    }
    int n = Math.min(max, files.size());
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Path f = files.get((int) ((long) i * files.size() / n));
      try {
        out.add(Files.readAllBytes(f));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
    return List.copyOf(out);
  }

  private static boolean isImage(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return !name.endsWith(".mask.png")
        && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".bmp"));
  }
}
