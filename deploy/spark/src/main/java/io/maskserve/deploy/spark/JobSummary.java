package io.maskserve.deploy.spark;

/**
 * What a job run wrote.
 *
 * @param images rows written (one per input image)
 * @param errors rows with an error (images that could not be read or explained)
 * @param seconds wall time of reading, explaining and writing
 */
public record JobSummary(long images, long errors, double seconds) {

  /** Images per second of wall time. */
  public double imagesPerSecond() {
    return seconds > 0 ? images / seconds : 0;
  }
}
