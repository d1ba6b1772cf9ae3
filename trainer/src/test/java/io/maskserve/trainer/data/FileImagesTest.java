package io.maskserve.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.trainer.synth.SynthTask;
import io.maskserve.trainer.synth.SynthWriter;
import io.maskserve.zoo.InputSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder and list-file inputs decode to the same tensors as the in-memory scenes. */
class FileImagesTest {

  static final InputSpec SPEC = SynthTask.inputSpec(32);
  static final List<String> LABELS = ShapeClass.labels();

  @Test
  void folderAndListFileGiveTheSameImagesAsTheScenes(@TempDir Path tmp) throws Exception {
    SceneGenerator scenes = new SceneGenerator(SceneConfig.ofSize(32), 5);
    new SynthWriter(scenes).write(tmp.resolve("set"), 10);
    FileImages folder = FileImages.folder(tmp.resolve("set"), LABELS, SPEC);
    assertEquals(10, folder.size());
    // Each file decodes to exactly the scene rendered in memory (PNG is lossless), with its label
    // and object mask.
    LabelledImages scenesInMemory = ImageSets.synthetic(scenes, 0, 10, SPEC);
    LabelledImages withMasks = ImageSets.folder(tmp.resolve("set"), LABELS, SPEC);
    for (int k = 0; k < folder.size(); k++) {
      FileImages.Entry e = folder.entries().get(k);
      int id = Integer.parseInt(e.path().getFileName().toString().replace(".png", ""));
      assertArrayEquals(scenesInMemory.gather(new int[] {id}), folder.gather(new int[] {k}), e.path().toString());
      assertArrayEquals(scenesInMemory.gather(new int[] {id}), withMasks.gather(new int[] {k}));
      assertEquals(scenesInMemory.labels()[id], e.label());
      assertEquals(scenesInMemory.labels()[id], withMasks.labels()[k]);
      assertArrayEquals(scenesInMemory.masks()[id], withMasks.masks()[k]);
    }

    StringBuilder list = new StringBuilder("# comment\n\n");
    for (FileImages.Entry e : folder.entries()) {
      String rel = tmp.relativize(e.path()).toString();
      // both separators and both label forms
      list.append(e.label() % 2 == 0 ? rel + " " + LABELS.get(e.label()) : rel + "," + e.label()).append('\n');
    }
    Files.writeString(tmp.resolve("train.txt"), list);
    FileImages listed = FileImages.list(tmp.resolve("train.txt"), LABELS, SPEC);
    assertEquals(folder.entries(), listed.entries().stream()
        .map(e -> new FileImages.Entry(e.path().normalize(), e.label())).toList());
    assertArrayEquals(folder.gather(new int[] {3, 7}), listed.gather(new int[] {3, 7}));
  }

  @Test
  void badListFilesNameTheLine(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("a.txt"), "x.png circle\ny.png hexagon\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FileImages.list(tmp.resolve("a.txt"), LABELS, SPEC));
    assertTrue(e.getMessage().contains("a.txt:2") && e.getMessage().contains("hexagon"), e.getMessage());
    Files.writeString(tmp.resolve("b.txt"), "justapath.png\n");
    e = assertThrows(IllegalArgumentException.class, () -> FileImages.list(tmp.resolve("b.txt"), LABELS, SPEC));
    assertTrue(e.getMessage().contains("b.txt:1"), e.getMessage());
    Files.writeString(tmp.resolve("c.txt"), "# nothing\n");
    assertThrows(IllegalArgumentException.class, () -> FileImages.list(tmp.resolve("c.txt"), LABELS, SPEC));
  }

  @Test
  void anUndecodableFileIsAClearError(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve("circle"));
    Files.write(tmp.resolve("circle").resolve("bad.png"), new byte[] {1, 2, 3});
    FileImages f = FileImages.folder(tmp, LABELS, SPEC);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.gather(new int[] {0}));
    assertTrue(e.getMessage().contains("bad.png"), e.getMessage());
  }

  @Test
  void prefetcherReturnsTheRequestedBatchWhetherOrNotItWasPrefetched() {
    LabelledImages set = ImageSets.synthetic(new SceneGenerator(SceneConfig.ofSize(32), 2), 0, 6, SPEC);
    try (Prefetcher p = new Prefetcher(set)) {
      assertArrayEquals(set.gather(new int[] {0, 1}), p.take(new int[] {0, 1}, new int[] {2, 3}));
      assertArrayEquals(set.gather(new int[] {2, 3}), p.take(new int[] {2, 3}, new int[] {4, 5}));
      // A request that differs from the prefetch is loaded directly.
      assertArrayEquals(set.gather(new int[] {5, 0}), p.take(new int[] {5, 0}, null));
    }
  }
}
