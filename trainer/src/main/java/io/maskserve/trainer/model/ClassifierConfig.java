package io.maskserve.trainer.model;

/**
 * Shape of the small synthetic-scene classifier: {@code stages} stages of one {@link ConvBnRelu}
 * each, a 2×2 max pool after every stage but the last, channels doubling from {@code baseWidth};
 * then a global average pool and one linear layer.
 *
 * @param numClasses output classes
 * @param baseWidth channels of the first stage
 * @param stages number of conv stages
 */
public record ClassifierConfig(int numClasses, int baseWidth, int stages) {

  public ClassifierConfig {
    if (numClasses < 2 || baseWidth < 1 || stages < 1 || stages > 8) {
      throw new IllegalArgumentException("bad classifier config: classes=" + numClasses + " width=" + baseWidth
          + " stages=" + stages);
    }
  }
}
