package io.maskserve.trainer.model;

/**
 * Shape of the generator, a U-Net-like encoder-decoder.
 *
 * <p>Encoder level {@code l} ({@code 0..depth-1}) is {@code blocksPerLevel} {@link ConvBnRelu}
 * with {@code baseWidth·2^l} channels, followed by a 2×2 max pool; the bottom has {@code
 * baseWidth·2^depth} channels. Each decoder level upsamples ×2 by nearest neighbour (DJL's PyTorch
 * engine has no transposed convolution; nearest + 3×3 conv is the usual substitute and exports
 * exactly to ONNX {@code Resize}), applies a {@link ConvBnRelu}, concatenates the encoder's skip
 * tensor of the same level and applies {@code blocksPerLevel} more blocks. Decoding stops at level
 * {@code outputLevel}: the output grid is the input divided by {@code 2^outputLevel} (0 = one
 * logit per pixel; larger values give a cheaper coarse grid that the server upsamples). A 1×1
 * convolution gives one logit per cell; keep probability is {@code sigmoid(logit)}, then, when
 * {@code smoothKernel > 1}, an average pool of that odd size (stride 1, padding excluded from the
 * average) — the paper's 15×15 smoothing at full resolution.
 *
 * <p><b>Class-conditional generators</b> ({@code classes > 0}) take the class to explain as a
 * second input: a learned embedding row per class is added, broadcast over the cells, to the
 * bottom level's features and to each decoder level's features after its upsampling convolution.
 * The additive biases let the decoder's convolutions and ReLUs gate features by class, which is
 * what picking one object among several needs; they cost {@code classes × (sum of the widths)}
 * parameters.
 *
 * @param baseWidth channels of the first encoder level
 * @param depth number of down-sampling levels
 * @param blocksPerLevel conv blocks per encoder/decoder level (the paper uses 2)
 * @param outputLevel output grid = input / 2^outputLevel, in [0, depth]
 * @param smoothKernel odd average-pool size applied to the probabilities, 1 = none
 * @param classes number of classes of a class-conditional generator, 0 for one that explains
 *     whatever class it is trained on (the classifier's top-1)
 */
public record GeneratorConfig(
    int baseWidth, int depth, int blocksPerLevel, int outputLevel, int smoothKernel, int classes) {

  /** Largest class count of a conditional generator (the embedding grows with it). */
  public static final int MAX_CLASSES = 100_000;

  public GeneratorConfig {
    if (baseWidth < 1 || depth < 1 || depth > 6 || blocksPerLevel < 1 || blocksPerLevel > 3) {
      throw new IllegalArgumentException("bad generator config: width=" + baseWidth + " depth=" + depth
          + " blocks=" + blocksPerLevel);
    }
    if (outputLevel < 0 || outputLevel > depth) {
      throw new IllegalArgumentException("outputLevel must be in [0," + depth + "], got " + outputLevel);
    }
    if (smoothKernel < 1 || smoothKernel % 2 == 0) {
      throw new IllegalArgumentException("smoothKernel must be odd and >= 1, got " + smoothKernel);
    }
    if (classes < 0 || classes > MAX_CLASSES) {
      throw new IllegalArgumentException("classes must be in [0," + MAX_CLASSES + "], got " + classes);
    }
  }

  /** An unconditional generator (explains the class it is trained on). */
  public GeneratorConfig(int baseWidth, int depth, int blocksPerLevel, int outputLevel, int smoothKernel) {
    this(baseWidth, depth, blocksPerLevel, outputLevel, smoothKernel, 0);
  }

  /** Whether the class to explain is an input. */
  public boolean conditional() {
    return classes > 0;
  }

  /** This architecture, class-conditional over {@code n} classes (0 = unconditional). */
  public GeneratorConfig withClasses(int n) {
    return new GeneratorConfig(baseWidth, depth, blocksPerLevel, outputLevel, smoothKernel, n);
  }

  /** Channels of the bottom level, the width of the class embedding. */
  public int bottomWidth() {
    return baseWidth << depth;
  }

  /** A small default: width 16, depth 3, one block per level, output per pixel, no smoothing. */
  public static GeneratorConfig small() {
    return new GeneratorConfig(16, 3, 1, 0, 1);
  }

  /** Side of the output grid for an input side {@code inputSide}. */
  public int outputSide(int inputSide) {
    return inputSide >> outputLevel;
  }
}
