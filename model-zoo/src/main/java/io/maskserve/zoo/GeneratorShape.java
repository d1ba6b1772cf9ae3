package io.maskserve.zoo;

/**
 * What validating a generator found out about it: the size of its output map and whether it is
 * class-conditional (takes, besides the image, the int64 input {@value GeneratorSpec#TARGET_INPUT}
 * {@code [N]} naming the class to explain per row).
 *
 * @param outputHeight height H' of the output map {@code [N,1,H',W']}, divides the input height
 * @param outputWidth width W' of the output map, divides the input width
 * @param classConditional whether the generator takes the {@value GeneratorSpec#TARGET_INPUT} input
 * @param features classifier tensors the generator reads (see {@link GeneratorSpec#features})
 * @param readsImage whether it reads the image
 */
public record GeneratorShape(
    int outputHeight, int outputWidth, boolean classConditional, java.util.List<String> features, boolean readsImage) {

  /** A generator reading only the image. */
  public GeneratorShape(int outputHeight, int outputWidth, boolean classConditional) {
    this(outputHeight, outputWidth, classConditional, java.util.List.of(), true);
  }

  public GeneratorShape {
    features = java.util.List.copyOf(features);
    if (outputHeight < 1 || outputWidth < 1) {
      throw new IllegalArgumentException(
          "generator output size must be positive, got " + outputHeight + "x" + outputWidth);
    }
  }
}
