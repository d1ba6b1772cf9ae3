package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.trainer.metrics.Box;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three data formats, box files, and the class-interleaved limit. */
class EvalSetsTest {

  static final InputSpec SPEC = new InputSpec(8, 8, ResizeMode.RESIZE, new float[] {0, 0, 0}, new float[] {1, 1, 1});
  static final List<String> LABELS = List.of("a", "b", "c");

  static Path png(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
    return file;
  }

  @Test
  void aFolderHasOneSubfolderPerClassAndOptionalObjectMasks(@TempDir Path dir) throws Exception {
    png(dir.resolve("a/x.png"));
    png(dir.resolve("a/x.mask.png"));
    png(dir.resolve("b/y.png"));
    EvalSet set = EvalSets.open(dir, null, LABELS, SPEC);
    assertEquals("folder", set.format());
    assertEquals(2, set.size());
    assertEquals(dir.resolve("a/x.mask.png"), set.items().get(0).objectMask());
    assertNull(set.items().get(1).objectMask());
    assertEquals(1, set.items().get(1).label());
    assertEquals("masks", set.truthKind());
    assertEquals(1, set.withTruth());
  }

  @Test
  void aListFileTakesBoxesMatchedByTrailingPathSegments(@TempDir Path dir) throws Exception {
    png(dir.resolve("a/0800.png"));
    png(dir.resolve("b/0800.png"));
    Path list = Files.writeString(dir.resolve("list.txt"), "a/0800.png a\nb/0800.png,1\n");
    Path boxes = Files.writeString(dir.resolve("b.json"),
        "{\"0800.png\": {\"boxes\": [[0, 0, 2, 2]]}, \"b/0800.png\": {\"label\": 1, \"boxes_8\": [[1, 1, 5, 5]]}}");
    EvalSet set = EvalSets.open(list, boxes, LABELS, SPEC);
    assertEquals("list", set.format());
    assertEquals(List.of(new Box(0, 0, 2, 2)), set.items().get(0).boxes(), "the bare name matches a/0800.png");
    assertEquals(List.of(new Box(1, 1, 5, 5)), set.items().get(1).boxes(), "the longer key wins for b/0800.png");
    assertEquals("boxes", set.truthKind());
    BoxFile file = BoxFile.read(boxes);
    assertNull(file.find(Path.of("/x/ab/0900.png")));
    assertEquals(2, file.find(Path.of("/x/ab/0800.png")).boxes().get(0).x1(), 1e-12,
        "'b/0800.png' must not match inside the segment 'ab'");
  }

  @Test
  void anIlsvrcDirectoryHasLabelsAndABoxFileAndFindsImagesUnderImages(@TempDir Path dir) throws Exception {
    png(dir.resolve("images/one.png"));
    png(dir.resolve("images/two.png"));
    Files.writeString(dir.resolve("labels.txt"), "./data/one.png, 2\n./data/two.png, 0\n");
    Files.writeString(dir.resolve("boxes_8.json"), "{\"one.png\": {\"label\": 2, \"orig_size\": [16, 16],"
        + " \"boxes_8\": [[1.5, 2, 6, 7.9], [0, 0, 1, 1]]}}");
    EvalSet set = EvalSets.open(dir, null, LABELS, SPEC);
    assertEquals("ilsvrc", set.format());
    assertEquals(2, set.size());
    assertEquals(dir.resolve("images/one.png"), set.items().get(0).image());
    assertEquals(2, set.items().get(0).boxes().size());
    assertNull(set.items().get(1).boxes());
    Files.writeString(dir.resolve("boxes_8.json"), "{\"one.png\": {\"label\": 1, \"boxes_8\": [[0, 0, 1, 1]]}}");
    EvaluateException e = assertThrows(EvaluateException.class, () -> EvalSets.open(dir, null, LABELS, SPEC));
    assertTrue(e.getMessage().contains("of class 1, its label is 2"), e.getMessage());
  }

  @Test
  void aLimitTakesTheClassesInTurn(@TempDir Path dir) throws Exception {
    for (String f : List.of("a/1.png", "a/2.png", "a/3.png", "b/1.png", "b/2.png", "c/1.png")) {
      png(dir.resolve(f));
    }
    EvalSet set = EvalSets.open(dir, null, LABELS, SPEC).limit(4);
    assertEquals(List.of("a/1.png", "b/1.png", "c/1.png", "a/2.png"),
        set.items().stream().map(i -> dir.relativize(i.image()).toString().replace('\\', '/')).toList());
    assertEquals(6, EvalSets.open(dir, null, LABELS, SPEC).limit(100).size());
  }

  @Test
  void objectMasksAndBoxesReachTheInputResolution(@TempDir Path dir) throws Exception {
    Path image = dir.resolve("a/x.png");
    Files.createDirectories(image.getParent());
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
    BufferedImage mask = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 4; y < 8; y++) {
      for (int x = 2; x < 8; x++) {
        mask.setRGB(x, y, 0xFFFFFF);
      }
    }
    ImageIO.write(mask, "png", dir.resolve("a/x.mask.png").toFile());
    LoadedImage loaded = new ImageLoader(SPEC).load(new EvalItem(image, 0, dir.resolve("a/x.mask.png"), null), true);
    assertNotNull(loaded.picture());
    int count = 0;
    for (boolean b : loaded.truth()) {
      count += b ? 1 : 0;
    }
    assertEquals(3 * 2, count, "a 6x4 block at 16 px is 3x2 at 8 px");
    assertEquals(List.of(new Box(1, 2, 4, 4)), loaded.boxes(), "the mask's bounding box, end-exclusive");
  }

  @Test
  void boxesFollowTheResizeAndTheCentreCrop() {
    Box box = new Box(8, 16, 40, 64);
    // A 64 x 128 (w x h) image stretched to 32 x 32: x / 2, y / 4.
    ImageLoader stretch = new ImageLoader(new InputSpec(32, 32, ResizeMode.RESIZE, new float[3], new float[] {1, 1, 1}));
    assertEquals(new Box(4, 4, 20, 16), stretch.toInput(box, 64, 128));
    // Scaled by max(32/64, 32/128) = 0.5 to 32 x 64, then the centre 32 x 32 (16 rows off the top).
    ImageLoader crop = new ImageLoader(new InputSpec(32, 32, ResizeMode.RESIZE_SHORTER_CENTER_CROP, new float[3],
        new float[] {1, 1, 1}));
    assertEquals(new Box(4, -8, 20, 16), crop.toInput(box, 64, 128));
    assertEquals(box, crop.toInput(box, 32, 32), "an image of the input size is not resampled");
  }
}
