package io.maskserve.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The demo's page and images. */
class DemoPageTest {

  @Test
  void pageIsSelfContainedAndEscapesText() {
    DemoPage.Header h = new DemoPage.Header("synth", "1", "shapes <v1> & \"friends\"", 0.35f, 64, 64, 64, 7L, true);
    List<DemoPage.Row> rows = List.of(
        new DemoPage.Row("000", "000-image.png", "000-overlay.png", "000-keep-prob.png", "000-truth.png",
            "circle", "circle", 0.981f, 0.25f, 0.9f),
        new DemoPage.Row("001", "001-image.png", "001-overlay.png", "001-keep-prob.png", "001-truth.png",
            "ring", "<script>", 0.5f, 0.5f, 0.125f));
    String html = DemoPage.render(h, rows);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("synth:1"));
    assertTrue(html.contains("shapes &lt;v1&gt; &amp; &quot;friends&quot;"), html);
    assertTrue(html.contains("&lt;script&gt; (0.500)"), html);
    assertFalse(html.contains("<script"), "no scripts, and text is escaped");
    assertFalse(html.contains("http:") || html.contains("https:") || html.contains("<link"), "no external assets");
    assertTrue(html.contains("image-rendering: pixelated"));
    assertTrue(html.contains("width: 128px"));
    for (DemoPage.Row r : rows) {
      for (String f : List.of(r.image(), r.overlay(), r.keepProbability(), r.truth())) {
        assertTrue(html.contains("src=\"" + f + "\""), f);
      }
    }
    assertTrue(html.contains("Top-1 correct on 1 of 2 scenes; mean keep fraction 0.375; mean p on masked image 0.512"),
        html);
    assertEquals(2, html.split("<tr><td>", -1).length - 1);
    assertTrue(html.contains("<td class=\"ok\">circle (0.981)</td>"), html);

    // A model whose classes are not the shapes: no scoring.
    String other = DemoPage.render(new DemoPage.Header("resnet20", "1", "", 0.35f, 32, 32, 32, 1L, false), rows);
    assertFalse(other.contains("Top-1 correct") || other.contains("class=\"miss\""), other);
    assertTrue(other.contains("<td>&lt;script&gt; (0.500)</td>"), other);
  }

  @Test
  void keepProbabilityMapIsGreyAndClamped() throws Exception {
    BufferedImage img = DemoImages.keepProbability(new float[][] {{0f, 0.5f, 1f}, {-1f, 2f, Float.NaN}});
    assertEquals(3, img.getWidth());
    assertEquals(2, img.getHeight());
    int[] expected = {0, 128, 255, 0, 255, 0};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], img.getRaster().getSample(i % 3, i / 3, 0), "pixel " + i);
    }
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(DemoImages.png(img)));
    assertEquals(128, back.getRaster().getSample(1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> DemoImages.keepProbability(new float[][] {{1f}, {1f, 2f}}));
  }

  @Test
  void objectMaskIsWhiteOnTheObject() {
    BufferedImage img = DemoImages.objectMask(new boolean[] {true, false, false, true}, 2, 2);
    assertEquals(255, img.getRaster().getSample(0, 0, 0));
    assertEquals(0, img.getRaster().getSample(1, 0, 0));
    assertEquals(255, img.getRaster().getSample(1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> DemoImages.objectMask(new boolean[3], 2, 2));
  }
}
