package io.maskserve.trainer.reinforce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OrtException;
import io.maskserve.trainer.metrics.DeletionInsertion;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A training objective: from a batch and the generator's keep probabilities, the loss to minimise
 * (a DJL array connected to the probabilities, so gradients reach the generator) and what it
 * measured. Implementations sample masks, score them with the frozen classifier and form a
 * policy-gradient surrogate.
 */
public interface Objective {

  /**
   * One step's images.
   *
   * @param images normalised images, contiguous {@code [size,3,height,width]}
   * @param size images in the batch
   * @param height image height
   * @param width image width
   * @param targets the explained class of every image
   * @param indices every image's index in the training set, or null when unknown (objectives that
   *     cache per-image results need it)
   * @param mirrored whether each image was mirrored left to right by augmentation, or null (none)
   */
  record Batch(float[] images, int size, int height, int width, int[] targets, int[] indices, boolean[] mirrored) {

    public Batch {
      if ((indices != null && indices.length != size) || (mirrored != null && mirrored.length != size)) {
        throw new IllegalArgumentException("a batch of " + size + " images needs one index and one mirror flag per image");
      }
    }

    /** A batch whose images are not identified (nothing is cached per image). */
    public Batch(float[] images, int size, int height, int width, int[] targets) {
      this(images, size, height, width, targets, null, null);
    }

    /** Whether image {@code i} was mirrored left to right. */
    public boolean mirrored(int i) {
      return mirrored != null && mirrored[i];
    }

    /** Values per image. */
    public int imageLength() {
      return 3 * height * width;
    }

    /**
     * The images under {@code samples} masks each ({@code [size][samples][h·w]}, binary or soft,
     * nearest-upsampled): {@code [size·samples,3,height,width]}, sample-major per image.
     */
    public float[] masked(float[] masks, int samples, int h, int w) {
      return masked(masks, samples, h, w, (i, s) -> false);
    }

    /**
     * As {@link #masked(float[], int, int, int)}, with the removed part of the masks that {@code
     * blurred} picks (by image and sample index) taken from the insertion metric's blurred image,
     * {@code x·m + blur(x)·(1 − m)}, instead of the mean. Each image is blurred at most once.
     *
     * @param masks the masks, {@code [size][samples][h·w]}
     * @param samples masks per image
     * @param h the masks' grid height (divides the image height)
     * @param w the masks' grid width (divides the image width)
     * @param blurred which samples remove to the blurred image
     */
    public float[] masked(float[] masks, int samples, int h, int w, SamplePredicate blurred) {
      int len = imageLength();
      int cells = h * w;
      float[] out = new float[size * samples * len];
      for (int i = 0; i < size; i++) {
        float[] blur = null;
        for (int s = 0; s < samples; s++) {
          int j = i * samples + s;
          float[] substrate = null;
          if (blurred.test(i, s)) {
            if (blur == null) {
              blur = DeletionInsertion.blur(Arrays.copyOfRange(images, i * len, (i + 1) * len), height, width);
            }
            substrate = blur;
          }
          Masks.applyMask(images, i * len, height, width, masks, j * cells, h, w, substrate, out, j * len);
        }
      }
      return out;
    }

    /** Every target repeated {@code samples} times, matching {@link #masked}. */
    public int[] repeatedTargets(int samples) {
      int[] out = new int[size * samples];
      for (int j = 0; j < out.length; j++) {
        out[j] = targets[j / samples];
      }
      return out;
    }
  }

  /** Picks samples by image index and sample index within the image. */
  @FunctionalInterface
  interface SamplePredicate {
    /** Whether sample {@code sample} of image {@code image} is picked. */
    boolean test(int image, int sample);
  }

  /**
   * The loss and the step's figures.
   *
   * @param loss scalar surrogate loss (minimised)
   * @param reward mean reward of the sampled masks (higher is better; the objective's own scale)
   * @param logProb mean log p(target | masked image) of the sampled masks
   * @param keep mean kept fraction of the sampled masks
   */
  record Outcome(NDArray loss, double reward, double logProb, double keep) {}

  /**
   * Builds the loss of one batch.
   *
   * @param batch the images and targets
   * @param probs keep probabilities {@code [size,1,h,w]}, part of the generator's autograd graph
   * @param rng this step's random stream (mask samples)
   * @param manager where temporary arrays go
   * @param progress fraction of the run done, in [0,1] (for schedules)
   */
  Outcome loss(Batch batch, NDArray probs, SplittableRandom rng, NDManager manager, double progress)
      throws OrtException;

  /** The keep threshold of the deterministic mask this objective is designed for. */
  float threshold();
}
