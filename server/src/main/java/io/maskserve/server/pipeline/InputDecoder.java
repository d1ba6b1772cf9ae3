package io.maskserve.server.pipeline;

import io.maskserve.server.limits.ServerLimits;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.preprocess.DecodeLimits;
import io.maskserve.zoo.preprocess.ImageDecoder;
import io.maskserve.zoo.preprocess.InputRegion;
import io.maskserve.zoo.preprocess.Preprocessor;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns an {@link ImageInput} into the classifier's input tensor and the RGB picture it shows,
 * using the zoo's decoder and preprocessing so the server treats images exactly as the manifest
 * describes. Invalid input surfaces as the zoo's InvalidInputException (or its
 * ImageTooLargeException subclass when a decode limit is exceeded).
 */
final class InputDecoder {

  /**
   * A decoded input.
   *
   * @param tensor CHW normalised values, {@code 3 * H * W}
   * @param picture the RGB image at input resolution, or null when only a tensor was given and no
   *     picture was asked for
   */
  /**
   * @param tensor the normalised input
   * @param picture the prepared RGB image (for overlays), or null
   * @param region where the input lies in the original image; null for tensor inputs, which have
   *     no other image than themselves
   */
  record Decoded(float[] tensor, BufferedImage picture, InputRegion region) {}

  private final DecodeLimits limits;

  InputDecoder(ServerLimits limits) {
    this.limits = new DecodeLimits(limits.maxEncodedBytes(), limits.maxImagePixels(), limits.maxImageSide());
  }

  Decoded decode(ImageInput input, InputSpec spec, boolean wantPicture) {
    if (input instanceof ImageInput.Encoded e) {
      BufferedImage image = ImageDecoder.decode(e.bytes(), limits);
      Preprocessor pre = new Preprocessor(spec);
      BufferedImage prepared = pre.prepareImage(image);
      return new Decoded(pre.toTensor(prepared), prepared, pre.region(image.getWidth(), image.getHeight()));
    }
    ImageInput.Tensor t = (ImageInput.Tensor) input;
    ByteBuffer le = ByteBuffer.wrap(t.littleEndianData()).order(ByteOrder.LITTLE_ENDIAN);
    float[] tensor = new Preprocessor(spec).checkTensor(t.shape(), le);
    return new Decoded(tensor, wantPicture ? picture(tensor, spec) : null, null);
  }

  /** Undoes the normalisation to show a tensor input as a picture (values clamped to [0,1]). */
  static BufferedImage picture(float[] chw, InputSpec spec) {
    int h = spec.height();
    int w = spec.width();
    int plane = h * w;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < plane; i++) {
      int rgb = 0;
      for (int c = 0; c < 3; c++) {
        float v = chw[c * plane + i] * spec.std(c) + spec.mean(c);
        int b = Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
        rgb = (rgb << 8) | b;
      }
      img.setRGB(i % w, i / w, rgb);
    }
    return img;
  }
}
