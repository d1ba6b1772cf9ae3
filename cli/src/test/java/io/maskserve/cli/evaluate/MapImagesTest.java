package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.maskserve.trainer.metrics.Box;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapImagesTest {

  @Test
  void boxesAreOutlinedOnACopyAndClippedToTheImage() {
    BufferedImage img = new BufferedImage(10, 8, BufferedImage.TYPE_INT_RGB);
    assertSame(img, MapImages.withBoxes(img, List.of()));
    BufferedImage out = MapImages.withBoxes(img, List.of(new Box(2, 1, 6, 5), new Box(7, 6, 20, 20)));
    int green = MapImages.BOX_COLOUR;
    // [2,6) x [1,5): outline on x = 2..5, y = 1..4.
    assertEquals(green, out.getRGB(2, 1) & 0xFFFFFF);
    assertEquals(green, out.getRGB(5, 4) & 0xFFFFFF);
    assertEquals(green, out.getRGB(2, 3) & 0xFFFFFF);
    assertEquals(0, out.getRGB(3, 2) & 0xFFFFFF, "inside stays");
    assertEquals(0, out.getRGB(6, 3) & 0xFFFFFF, "x1 is exclusive");
    // The second box leaves the image: its outline is clipped to the last row and column.
    assertEquals(green, out.getRGB(9, 7) & 0xFFFFFF);
    assertEquals(green, out.getRGB(7, 6) & 0xFFFFFF);
    assertEquals(0, img.getRGB(2, 1) & 0xFFFFFF, "the original is not drawn on");
  }
}
