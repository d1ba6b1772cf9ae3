package io.maskserve.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The demo's result page, {@code index.html}: a self-contained static page (inline CSS, no scripts,
 * no external assets) with one table row per scene; images are referenced by file name, relative
 * to the page.
 */
public final class DemoPage {

  /** File name of the page. */
  public static final String FILE = "index.html";

  /** Width at which the page shows every image (small images are scaled up without smoothing). */
  public static final int IMAGE_WIDTH_PX = 128;

  private DemoPage() {}

  /**
   * What the page says about the run.
   *
   * @param model model name
   * @param version model version
   * @param description the model's description (may be empty)
   * @param threshold the generator's keep threshold
   * @param inputWidth classifier input width
   * @param inputHeight classifier input height
   * @param sceneSize side of the synthetic scenes
   * @param seed seed of the scenes
   * @param classesMatch whether the model's labels include the scene classes (else its top-1 is not scored)
   */
  public record Header(
      String model, String version, String description, float threshold, int inputWidth, int inputHeight,
      int sceneSize, long seed, boolean classesMatch) {
    public Header {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(version, "version");
      description = description == null ? "" : description;
    }
  }

  /**
   * One scene.
   *
   * @param id the scene's id (its index, zero-padded)
   * @param image file name of the scene
   * @param overlay file name of the overlay (removed pixels darkened)
   * @param keepProbability file name of the keep-probability map
   * @param truth file name of the ground-truth object mask
   * @param trueClass the scene's class
   * @param predictedClass the classifier's top-1 on the scene
   * @param predictedProbability its probability
   * @param keepFraction fraction of pixels the mask keeps
   * @param maskedProbability probability of the predicted class on the masked scene
   */
  public record Row(
      String id, String image, String overlay, String keepProbability, String truth, String trueClass,
      String predictedClass, float predictedProbability, float keepFraction, float maskedProbability) {
    public Row {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(overlay, "overlay");
      Objects.requireNonNull(keepProbability, "keepProbability");
      Objects.requireNonNull(truth, "truth");
      Objects.requireNonNull(trueClass, "trueClass");
      Objects.requireNonNull(predictedClass, "predictedClass");
    }

    /** Whether the top-1 is the scene's class. */
    public boolean correct() {
      return trueClass.equals(predictedClass);
    }
  }

  /** Writes the page as {@code dir/index.html} and returns its path. */
  public static Path write(Path dir, Header header, List<Row> rows) {
    Path file = dir.resolve(FILE);
    try {
      Files.writeString(file, render(header, rows), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** The page's HTML. */
  public static String render(Header h, List<Row> rows) {
    String title = "maskserve demo: " + h.model() + ":" + h.version();
    StringBuilder b = new StringBuilder(4096 + rows.size() * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>").append(esc(title)).append("</title>\n")
        .append("<style>\n")
        .append("body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }\n")
        .append("table { border-collapse: collapse; }\n")
        .append("th, td { border-bottom: 1px solid #ddd; padding: 6px 10px; text-align: center; vertical-align: middle; }\n")
        .append("th { background: #f4f4f4; font-weight: 600; }\n")
        .append("td.num { font-variant-numeric: tabular-nums; }\n")
        .append("td.ok { color: #1a7f37; } td.miss { color: #c62828; }\n")
        .append("img { width: ").append(IMAGE_WIDTH_PX).append("px; height: auto; ")
        .append("image-rendering: crisp-edges; image-rendering: pixelated; display: block; }\n")
        .append("p.note { color: #555; max-width: 60em; }\n")
        .append("</style>\n</head>\n<body>\n");
    b.append("<h1>").append(esc(title)).append("</h1>\n");
    b.append("<p>Model <b>").append(esc(h.model() + ":" + h.version())).append("</b>");
    if (!h.description().isEmpty()) {
      b.append(" (").append(esc(h.description())).append(")");
    }
    b.append(", classifier input ").append(h.inputWidth()).append("x").append(h.inputHeight())
        .append(", generator threshold ").append(fmt(h.threshold()))
        .append(". ").append(rows.size()).append(" synthetic scenes of ").append(h.sceneSize()).append("x")
        .append(h.sceneSize()).append(" px, seed ").append(h.seed()).append(".</p>\n");
    b.append(summary(h, rows));
    b.append("<p class=\"note\">Each scene is explained for the classifier's top-1 class. <i>Overlay</i>: the")
        .append(" scene with the pixels the deterministic mask removes darkened. <i>Keep probability</i>:")
        .append(" the generator's per-pixel keep probability (white = 1). <i>Ground truth</i>: the target")
        .append(" object (white). <i>p on masked image</i>: the classifier's probability of the predicted")
        .append(" class when only the kept pixels remain (the others replaced by the dataset mean).</p>\n");
    b.append("<table>\n<thead><tr><th>#</th><th>image</th><th>overlay</th><th>keep probability</th>")
        .append("<th>ground truth</th><th>true class</th><th>predicted (p)</th><th>keep fraction</th>")
        .append("<th>p on masked image</th></tr></thead>\n<tbody>\n");
    for (Row r : rows) {
      b.append("<tr><td>").append(esc(r.id())).append("</td>")
          .append(img(r.image(), "scene " + r.id()))
          .append(img(r.overlay(), "overlay " + r.id()))
          .append(img(r.keepProbability(), "keep probability " + r.id()))
          .append(img(r.truth(), "ground truth " + r.id()))
          .append("<td>").append(esc(r.trueClass())).append("</td>")
          .append(h.classesMatch() ? (r.correct() ? "<td class=\"ok\">" : "<td class=\"miss\">") : "<td>")
          .append(esc(r.predictedClass()))
          .append(" (").append(fmt(r.predictedProbability())).append(")</td>")
          .append("<td class=\"num\">").append(fmt(r.keepFraction())).append("</td>")
          .append("<td class=\"num\">").append(fmt(r.maskedProbability())).append("</td></tr>\n");
    }
    b.append("</tbody>\n</table>\n<p class=\"note\">Written by <code>maskserve demo</code>.</p>\n</body>\n</html>\n");
    return b.toString();
  }

  private static String summary(Header h, List<Row> rows) {
    if (rows.isEmpty()) {
      return "";
    }
    long correct = rows.stream().filter(Row::correct).count();
    double keep = rows.stream().mapToDouble(Row::keepFraction).average().orElse(0);
    double masked = rows.stream().mapToDouble(Row::maskedProbability).average().orElse(0);
    String scored = h.classesMatch()
        ? String.format(Locale.ROOT, "Top-1 correct on %d of %d scenes", correct, rows.size())
        : "The model's classes are not the scene shapes, so its top-1 is not scored";
    return String.format(Locale.ROOT, "<p>%s; mean keep fraction %.3f; mean p on masked image %.3f.</p>%n",
        scored, keep, masked);
  }

  private static String img(String file, String alt) {
    return "<td><img src=\"" + esc(file) + "\" alt=\"" + esc(alt) + "\"></td>";
  }

  private static String fmt(float v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** {@code s} escaped for HTML text and attribute values. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
