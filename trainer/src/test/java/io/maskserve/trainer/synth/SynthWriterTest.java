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
}
