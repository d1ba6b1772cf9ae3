package io.maskserve.trainer.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthWriterTest {

  @Test
  void writesTheFixedLayoutDeterministically(@TempDir Path a, @TempDir Path b) throws Exception {
    SceneGenerator g = new SceneGenerator(SceneConfig.ofSize(64), 42);
    new SynthWriter(g).write(a, 12);
    new SynthWriter(new SceneGenerator(SceneConfig.ofSize(64), 42)).write(b, 12);
    for (ShapeClass c : ShapeClass.values()) {
      assertTrue(Files.isDirectory(a.resolve(c.label())));
    }
    Path scene = a.resolve("circle").resolve("000000.png");
    Path mask = a.resolve("circle").resolve("000000.mask.png");
    assertTrue(Files.isRegularFile(scene) && Files.isRegularFile(mask));
    try (Stream<Path> files = Files.walk(a)) {
      assertEquals(24, files.filter(Files::isRegularFile).count());
    }
    try (Stream<Path> files = Files.walk(a)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(a.relativize(f))), f.toString());
      }
    }
    BufferedImage img = ImageIO.read(scene.toFile());
    BufferedImage m = ImageIO.read(mask.toFile());
    assertEquals(64, img.getWidth());
    assertEquals(64, m.getHeight());
    // The mask is white exactly on the object, which shows the object's single colour.
    int objectColour = -1;
    int white = 0;
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int v = m.getRaster().getSample(x, y, 0);
        assertTrue(v == 0 || v == 255);
        if (v == 255) {
          white++;
          int rgb = img.getRGB(x, y) & 0xFFFFFF;
          if (objectColour < 0) {
            objectColour = rgb;
          }
          assertEquals(objectColour, rgb);
        }
      }
    }
    assertTrue(white > 50 && white < 64 * 64 / 4, "object pixels " + white);
  }

  @Test
  void differentSeedsGiveDifferentScenes() {
    Scene s1 = new SceneGenerator(SceneConfig.ofSize(64), 1).scene(0, ShapeClass.RING);
    Scene s2 = new SceneGenerator(SceneConfig.ofSize(64), 2).scene(0, ShapeClass.RING);
    assertNotEquals(java.util.Arrays.toString(s1.mask()), java.util.Arrays.toString(s2.mask()));
    assertTrue(s1.objectFraction() > 0.01);
  }

  @Test
  void pairScenesHoldTwoSeparateObjectsOfDifferentClasses() {
    SceneGenerator g = new SceneGenerator(SceneConfig.ofSize(64), 5);
    ShapeClass[] classes = ShapeClass.values();
    java.util.Set<ShapeClass> seconds = java.util.EnumSet.noneOf(ShapeClass.class);
    for (int i = 0; i < 200; i++) {
      PairScene p = g.pair(i);
      assertEquals(classes[i % classes.length], p.first());
      assertNotEquals(p.first(), p.second());
      seconds.add(p.second());
      boolean[] a = p.firstMask();
      boolean[] b = p.secondMask();
      int na = 0;
      int nb = 0;
      for (int j = 0; j < a.length; j++) {
        na += a[j] ? 1 : 0;
        nb += b[j] ? 1 : 0;
        // Apart: no pixel of one object within 2 px (Chebyshev) of the other.
        if (a[j]) {
          for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
              int y = j / 64 + dy;
              int x = j % 64 + dx;
              if (y >= 0 && y < 64 && x >= 0 && x < 64) {
                assertTrue(!b[y * 64 + x], "objects touch in pair scene " + i);
              }
            }
          }
        }
      }
      assertTrue(na > 30 && nb > 30, "scene " + i + ": object sizes " + na + ", " + nb);
      assertEquals(p.second(), p.as(p.second()).shape());
      assertArrayEquals(b, p.as(p.second()).mask());
    }
    assertEquals(classes.length, seconds.size(), "every class appears as the second object");
    assertArrayEquals(g.pair(7).secondMask(), new SceneGenerator(SceneConfig.ofSize(64), 5).pair(7).secondMask());
  }

  @Test
  void writesPairScenesBesideThePlainLayout(@TempDir Path plain, @TempDir Path mixed) throws Exception {
    SceneGenerator g = new SceneGenerator(SceneConfig.ofSize(64), 3);
    new SynthWriter(g).write(plain, 40);
    new SynthWriter(g, 0.5).write(mixed, 40);
    java.util.List<String> labels = java.util.Arrays.stream(ShapeClass.values()).map(ShapeClass::label).toList();
    var spec = SynthTask.inputSpec(64);
    io.maskserve.trainer.data.LabelledImages all = io.maskserve.trainer.data.ImageSets.folder(mixed, labels, spec);
    assertEquals(40, all.size(), "second masks are not read as images");
    assertTrue(all.masks() != null);
    io.maskserve.trainer.data.LabelledImages pairs = io.maskserve.trainer.data.ImageSets.pairs(mixed, labels, spec);
    long secondMasks;
    try (Stream<Path> files = Files.walk(mixed)) {
      secondMasks = files.filter(f -> f.getFileName().toString().matches("\\d{6}\\.[a-z]+\\.mask\\.png")).count();
    }
    assertTrue(secondMasks >= 10 && secondMasks <= 30, "pair scenes: " + secondMasks);
    assertEquals(2 * secondMasks, pairs.size());
    for (int i = 0; i < pairs.size(); i += 2) {
      assertNotEquals(pairs.labels()[i], pairs.labels()[i + 1]);
      assertNotEquals(java.util.Arrays.toString(pairs.masks()[i]), java.util.Arrays.toString(pairs.masks()[i + 1]));
    }
    assertEquals(0, io.maskserve.trainer.data.ImageSets.pairs(plain, labels, spec).size());
    // The plain scenes of a mixed set are the plain set's scenes.
    java.util.Set<String> pairStems;
    try (Stream<Path> files = Files.walk(mixed)) {
      pairStems = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d{6}\\.[a-z]+\\.mask\\.png"))
          .map(n -> n.substring(0, 6)).collect(java.util.stream.Collectors.toSet());
    }
    int compared = 0;
    try (Stream<Path> files = Files.walk(mixed)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (!pairStems.contains(f.getFileName().toString().substring(0, 6))) {
          assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(plain.resolve(mixed.relativize(f))), f.toString());
          compared++;
        }
      }
    }
    assertEquals(2 * (40 - pairStems.size()), compared);
    assertEquals(40 - pairStems.size(), io.maskserve.trainer.data.ImageSets.singleObjects(mixed, labels, spec).size());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new SynthWriter(g, 1.5));
  }
}
