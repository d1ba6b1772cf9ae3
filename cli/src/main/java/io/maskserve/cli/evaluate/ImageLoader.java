package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.Box;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.InputRegion;
import io.maskserve.zoo.preprocess.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Decodes evaluation images with the zoo's decoder and preprocessing (the server's own), so the
 * tensors sent to the server and those the local classifier scores are the same, and maps the
 * ground truth to the input resolution: object masks go through the same resize (or resize and
 * centre crop) and are thresholded at half intensity; boxes go through the same geometry
 * ({@link #toInput}).
 */
final class ImageLoader {

  private final InputSpec spec;
  private final Preprocessor preprocessor;

  ImageLoader(InputSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.preprocessor = new Preprocessor(spec);
  }

  /** The normalised tensor of an item. */
  float[] tensor(EvalItem item) {
    return preprocessor.normalize(preprocessor.prepareImage(decode(item.image())));
  }

  /** The item at the input resolution; {@code withPicture} keeps the prepared RGB image. */
  LoadedImage load(EvalItem item, boolean withPicture) {
    BufferedImage decoded = decode(item.image());
    BufferedImage prepared = preprocessor.prepareImage(decoded);
    float[] tensor = preprocessor.normalize(prepared);
    int h = spec.height();
    int w = spec.width();
    boolean[] truth = null;
    List<Box> boxes = null;
    if (item.objectMask() != null) {
      truth = mask(item.objectMask());
      int[] b = io.maskserve.trainer.metrics.SaliencyMetric.tightestBox(truth, h, w);
      if (b == null) {
        truth = null; // an empty object mask is no ground truth
      } else {
        boxes = List.of(new Box(b[0], b[1], b[2] + 1, b[3] + 1));
      }
    } else if (item.boxes() != null && !item.boxes().isEmpty()) {
      boxes = item.boxes().stream().map(b -> toInput(b, decoded.getWidth(), decoded.getHeight())).toList();
      truth = Box.union(boxes, h, w);
    }
    return new LoadedImage(tensor, withPicture ? prepared : null, truth, boxes);
  }

  /**
   * A box of a {@code width x height} image mapped to the input the way {@link Preprocessor} maps
   * the image: scaled by {@code W/width, H/height} ({@link ResizeMode#RESIZE}), or scaled by
   * {@code max(W/width, H/height)} to the rounded size and shifted by the centre crop's offset.
   */
  Box toInput(Box box, int width, int height) {
    if (width == spec.width() && height == spec.height()) {
      return box;
    }
    InputRegion r = preprocessor.region(width, height);
    double sx = spec.width() / (r.x1() - r.x0());
    double sy = spec.height() / (r.y1() - r.y0());
    return box.transform(sx, sy, r.toInputX(0), r.toInputY(0));
  }

  private boolean[] mask(Path file) {
    BufferedImage m = preprocessor.prepareImage(decode(file));
    int w = spec.width();
    int h = spec.height();
    boolean[] out = new boolean[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out[y * w + x] = (m.getRGB(x, y) & 0xFF) > 127;
      }
    }
    return out;
  }

  private static BufferedImage decode(Path file) {
    try {
      return ImageDecoder.decode(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new EvaluateException("cannot decode " + file + ": " + e.getMessage(), e);
    }
  }
}
