package io.maskserve.zoo;

import java.util.List;

/**
 * Limits on the free-form metadata a registration carries (labels and descriptions), checked when
 * a {@link ClassifierRegistration} or {@link GeneratorRegistration} is created, so oversized
 * metadata fails before any upload is read or anything is written to the zoo. Every manifest must
 * also fit in {@link io.maskserve.zoo.fs.ManifestCodec#MAX_MANIFEST_BYTES} once serialized (the
 * store checks that too), since a manifest the store cannot read back would hide the version.
 */
public final class MetadataLimits {

  /** Most labels (classes) a classifier may have. */
  public static final int MAX_LABELS = 100_000;
  /** Longest label, in chars. */
  public static final int MAX_LABEL_CHARS = 1024;
  /** Longest classifier or generator description, in chars. */
  public static final int MAX_DESCRIPTION_CHARS = 16 * 1024;

  private MetadataLimits() {}

  /**
   * Checks a label list.
   *
   * @throws ZooException INVALID_ARGUMENT if there are more than {@link #MAX_LABELS} labels, a label
   *     is null or longer than {@link #MAX_LABEL_CHARS} chars
   */
  public static void checkLabels(List<String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw invalid("there are " + labels.size() + " labels; the limit is " + MAX_LABELS);
    }
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      if (label == null) {
        throw invalid("label " + i + " is missing (null)");
      }
      if (label.length() > MAX_LABEL_CHARS) {
        throw invalid("label " + i + " is " + label.length() + " characters long; the limit is " + MAX_LABEL_CHARS);
      }
    }
  }

  /**
   * Checks a description.
   *
   * @param what whose description, for the message (e.g. "classifier")
   * @throws ZooException INVALID_ARGUMENT if it is longer than {@link #MAX_DESCRIPTION_CHARS} chars
   */
  public static void checkDescription(String what, String description) {
    if (description != null && description.length() > MAX_DESCRIPTION_CHARS) {
      throw invalid("the " + what + " description is " + description.length() + " characters long; the limit is "
          + MAX_DESCRIPTION_CHARS);
    }
  }

  private static ZooException invalid(String message) {
    return new ZooException(ZooException.Reason.INVALID_ARGUMENT, message);
  }
}
