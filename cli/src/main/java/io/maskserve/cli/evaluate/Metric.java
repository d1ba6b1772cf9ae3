package io.maskserve.cli.evaluate;

/**
 * The figures of an evaluation report, each with its reference semantics in one line (the
 * report repeats them).
 */
enum Metric {
  DELETION_AUC("deletion_auc", "Deletion AUC", Direction.LOWER,
      "RISE: p(top-1) as pixels are set to the dataset mean in decreasing saliency, --step per step;"
          + " trapezoid AUC over [0,1]"),
  INSERTION_AUC("insertion_auc", "Insertion AUC", Direction.HIGHER,
      "RISE: p(top-1) as original pixels replace a Gaussian blur (k 11, sigma 5) in decreasing saliency;"
          + " trapezoid AUC"),
  KEEP_FRACTION("keep_fraction", "Keep fraction", Direction.NONE,
      "fraction of pixels the deterministic mask keeps (generator: threshold; baselines: top keep_fraction)"),
  MASK_PROBABILITY("mask_probability", "p(top-1 | mask)", Direction.HIGHER,
      "classifier probability of the top-1 on the image with only the mask's pixels kept (the server's score)"),
  PROBABILITY_RATIO("probability_ratio", "p ratio", Direction.HIGHER,
      "p(top-1 | masked image) / p(top-1 | image)"),
  SALIENCY_METRIC("saliency_metric", "Saliency metric", Direction.LOWER,
      "Dabkowski & Gal: log(max(0.05, a)) - log(p), a = area of the tightest box around the mask,"
          + " p = p(top-1) on that crop resized to the input"),
  ENCODING_RATE("encoding_rate", "Encoding rate", Direction.LOWER,
      "how often the mask, applied to an image of another class, makes the classifier answer the mask's class"),
  POINTING_ACCURACY("pointing_accuracy", "Pointing game", Direction.HIGHER,
      "TorchRay: the map's argmax hits when a ground-truth pixel is < 15 px (at 224, scaled) away;"
          + " accuracy averaged over classes; map of the true class"),
  LOCALISATION_ERROR("localisation_error", "Localisation error", Direction.LOWER,
      "CASME: threshold the map, largest 4-connected component, its box; error when IoU <= 0.5 with every"
          + " ground-truth box; map of the true class"),
  TOP1_LOCALISATION_ERROR("top1_localisation_error", "Top-1 loc. error", Direction.LOWER,
      "as localisation error, an image also counting as an error when the classifier's top-1 is wrong"
          + " (CASME's OM)"),
  METHOD_MILLIS("method_ms", "Method ms", Direction.LOWER,
      "the method's own server-side time per explanation, queueing excluded (timing.generate_micros / 1000)");

  /** Which way is better. */
  enum Direction {
    LOWER("lower"),
    HIGHER("higher"),
    NONE("neither");

    final String word;

    Direction(String word) {
      this.word = word;
    }
  }

  final String key;
  final String title;
  final Direction better;
  final String semantics;

  Metric(String key, String title, Direction better, String semantics) {
    this.key = key;
    this.title = title;
    this.better = better;
    this.semantics = semantics;
  }

  /** Whether the figure needs ground truth (masks or boxes). */
  boolean needsTruth() {
    return this == POINTING_ACCURACY || this == LOCALISATION_ERROR || this == TOP1_LOCALISATION_ERROR;
  }
}
