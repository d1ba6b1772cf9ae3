package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.DeletionInsertion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: a self-contained page (inline CSS, inline SVG, images as PNG data URIs, no
 * scripts) with the metric table per method (mean and 95% interval, the best mean of each column
 * in bold), the mean deletion and insertion curves, a gallery of every method's map and mask on
 * the first images, and each metric's semantics. Written as polyglot markup: valid HTML5 that is
 * also well-formed XML, so it can be checked with any XML parser.
 */
final class ReportHtml {

  /** File name of the page. */
  static final String FILE = "report.html";

  /** Width at which gallery pictures are shown (small inputs are scaled up without smoothing). */
  static final int PICTURE_PX = 96;

  private static final Map<MethodName, String> COLOURS = Map.of(
      MethodName.GENERATOR, "#d62728",
      MethodName.GRADIENT, "#1f77b4",
      MethodName.SMOOTHGRAD, "#ff7f0e",
      MethodName.INTEGRATED_GRADIENTS, "#2ca02c",
      MethodName.GRAD_CAM, "#9467bd",
      MethodName.RISE, "#8c564b",
      MethodName.OCCLUSION, "#e377c2",
      MethodName.CENTRE, "#7f7f7f",
      MethodName.RANDOM, "#bcbd22");

  private ReportHtml() {}

  static Path write(Path dir, ReportHeader h, Evaluator.Result r) {
    return write(dir, h, r, null);
  }

  /** Writes the page, with the randomisation test's section when {@code randomisation} is not null. */
  static Path write(Path dir, ReportHeader h, Evaluator.Result r, RandomisationTest.Result randomisation) {
    Path file = dir.resolve(FILE);
    try {
      Files.writeString(file, render(h, r, randomisation), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  static String render(ReportHeader h, Evaluator.Result r) {
    return render(h, r, null);
  }

  static String render(ReportHeader h, Evaluator.Result r, RandomisationTest.Result randomisation) {
    String title = "maskserve evaluate: " + h.model() + ":" + h.version();
    StringBuilder b = new StringBuilder(1 << 16);
    b.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        .append("<meta charset=\"utf-8\"/>\n<title>").append(esc(title)).append("</title>\n<style>\n")
        .append("body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }\n")
        .append("table { border-collapse: collapse; margin: 1em 0; }\n")
        .append("th, td { border-bottom: 1px solid #ddd; padding: 5px 9px; text-align: center; vertical-align: middle; }\n")
        .append("th { background: #f4f4f4; font-weight: 600; }\n")
        .append("td.num { font-variant-numeric: tabular-nums; }\n")
        .append("td.method { text-align: left; font-weight: 600; }\n")
        .append("small { color: #666; }\n")
        .append("img { width: ").append(PICTURE_PX).append("px; height: auto; image-rendering: pixelated; display: block; }\n")
        .append(".pair { display: flex; gap: 3px; }\n")
        .append("p.note, dl { color: #444; max-width: 70em; }\n")
        .append("dt { font-weight: 600; margin-top: 0.5em; }\n")
        .append("</style>\n</head>\n<body>\n");
    b.append("<h1>").append(esc(title)).append("</h1>\n");
    b.append(summary(h, r));
    b.append("<h2>Metrics</h2>\n").append(table(r)).append(notes(h, r));
    b.append(pairedTable(r));
    b.append("<h2>Deletion and insertion curves</h2>\n<div class=\"pair\">\n")
        .append(SvgChart.render("Deletion (lower is better)", "fraction of pixels removed", "p(top-1)",
            series(r, true)))
        .append(SvgChart.render("Insertion (higher is better)", "fraction of pixels inserted", "p(top-1)",
            series(r, false)))
        .append("</div>\n");
    if (randomisation != null) {
      b.append(randomisation(randomisation));
    }
    b.append(gallery(h, r));
    b.append("<h2>Semantics</h2>\n<dl>\n");
    for (Metric m : Metric.values()) {
      b.append("<dt>").append(esc(m.title)).append(" (").append(m.better.word).append(" is better)</dt><dd>")
          .append(esc(m.semantics)).append("</dd>\n");
    }
    b.append("</dl>\n<p class=\"note\">Intervals: 95% percentile bootstrap, ").append(h.resamples())
        .append(" resamples of the images, seed ").append(h.seed()).append(". Written by <code>maskserve evaluate</code> on ")
        .append(esc(h.created())).append(".</p>\n</body>\n</html>\n");
    return b.toString();
  }

  private static String summary(ReportHeader h, Evaluator.Result r) {
    Bootstrap.Interval acc = r.top1Accuracy();
    StringBuilder b = new StringBuilder("<p>");
    b.append("Model <b>").append(esc(h.model() + ":" + h.version())).append("</b>");
    if (!h.description().isEmpty()) {
      b.append(" (").append(esc(h.description())).append(")");
    }
    b.append(", input ").append(h.inputWidth()).append("x").append(h.inputHeight()).append(". Data <code>")
        .append(esc(h.data())).append("</code> (").append(esc(h.format())).append("): ").append(r.labels().length)
        .append(" images");
    if (h.limit() != null) {
      b.append(" (--limit ").append(h.limit()).append(")");
    }
    b.append(", ground truth: ").append(esc(h.truthKind()));
    if (!"none".equals(h.truthKind())) {
      b.append(" on ").append(h.imagesWithTruth()).append(" images");
    }
    b.append(". Classifier top-1 accuracy ").append(interval(acc)).append(".</p>\n");
    RequestOptions o = h.options();
    b.append("<p class=\"note\">Deletion/insertion step ").append(h.step()).append(" px; deletion substrate ")
        .append(h.substrate() == DeletionInsertion.Substrate.BLUR ? "the blurred image" : "the mean (0)")
        .append("; pointing tolerance ")
        .append(String.format(Locale.ROOT, "%.2f", r.tolerance())).append(" px; localisation threshold ")
        .append(esc(h.localisationThreshold())).append("; baseline keep fraction ")
        .append(o.keepFraction() == null ? "server default" : o.keepFraction().toString())
        .append("; RISE masks ").append(o.riseMasks() == null ? "default" : o.riseMasks().toString())
        .append("; SmoothGrad samples ").append(o.smoothgradSamples() == null ? "default" : o.smoothgradSamples().toString())
        .append("; IG steps ").append(o.igSteps() == null ? "default" : o.igSteps().toString())
        .append("; Grad-CAM layer ").append(o.gradCamLayer() == null ? "the last convolution" : esc(o.gradCamLayer()))
        .append("; seed ").append(h.seed()).append(String.format(Locale.ROOT, "; %.1f s.</p>%n", r.seconds()));
    return b.toString();
  }

  private static String table(Evaluator.Result r) {
    List<Metric> shown = new ArrayList<>();
    for (Metric m : Metric.values()) {
      if (r.methods().stream().anyMatch(mr -> mr.figure(m) != null)) {
        shown.add(m);
      }
    }
    StringBuilder b = new StringBuilder("<table>\n<thead><tr><th>method</th>");
    for (Metric m : shown) {
      String arrow = m.better == Metric.Direction.LOWER ? " \u2193" : m.better == Metric.Direction.HIGHER ? " \u2191" : "";
      b.append("<th>").append(esc(m.title + arrow)).append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (MethodReport mr : r.methods()) {
      b.append("<tr><td class=\"method\">").append(esc(mr.method().cliName())).append("</td>");
      for (Metric m : shown) {
        Bootstrap.Interval i = mr.figure(m);
        boolean best = i != null && isBest(r, m, i.estimate());
        b.append("<td class=\"num\">").append(i == null ? "&#8212;" : (best ? "<b>" : "") + fmt(m, i.estimate())
            + (best ? "</b>" : "") + "<br/><small>[" + fmt(m, i.low()) + ", " + fmt(m, i.high()) + "]</small>")
            .append("</td>");
      }
      b.append("</tr>\n");
    }
    return b.append("</tbody>\n</table>\n").toString();
  }

  /** Every method against the reference, image by image (empty with one method). */
  private static String pairedTable(Evaluator.Result r) {
    if (r.comparisons().isEmpty()) {
      return "";
    }
    String reference = r.comparisons().get(0).reference().cliName();
    StringBuilder b = new StringBuilder("<h2>Against ").append(esc(reference)).append(", image by image</h2>\n")
        .append("<p class=\"note\">Mean of (method &#8722; ").append(esc(reference))
        .append(") over the images both were scored on, with a paired 95% bootstrap interval. A method is better or")
        .append(" worse than ").append(esc(reference)).append(" only where the interval excludes 0.</p>\n")
        .append("<table>\n<thead><tr><th>method</th>");
    for (Metric m : PairedComparison.METRICS) {
      b.append("<th>").append(esc(m.title)).append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (PairedComparison c : r.comparisons()) {
      b.append("<tr><td class=\"method\">").append(esc(c.method().cliName())).append("</td>");
      for (Metric m : PairedComparison.METRICS) {
        Bootstrap.Interval d = c.difference(m);
        b.append("<td class=\"num\">").append(d == null ? "&#8212;" : String.format(Locale.ROOT, "%+.3f", d.estimate())
            + "<br/><small>[" + String.format(Locale.ROOT, "%+.3f, %+.3f", d.low(), d.high()) + "] "
            + c.verdictWord(m) + "</small>").append("</td>");
      }
      b.append("</tr>\n");
    }
    return b.append("</tbody>\n</table>\n").toString();
  }

  private static boolean isBest(Evaluator.Result r, Metric m, double v) {
    if (m.better == Metric.Direction.NONE || !Double.isFinite(v) || r.methods().size() < 2) {
      return false;
    }
    for (MethodReport other : r.methods()) {
      Bootstrap.Interval o = other.figure(m);
      if (o != null && Double.isFinite(o.estimate())
          && (m.better == Metric.Direction.LOWER ? o.estimate() < v : o.estimate() > v)) {
        return false;
      }
    }
    return true;
  }

  private static String notes(ReportHeader h, Evaluator.Result r) {
    StringBuilder b = new StringBuilder("<p class=\"note\">Means over images with 95% intervals in brackets; n = ");
    List<String> parts = new ArrayList<>();
    for (MethodReport mr : r.methods()) {
      Bootstrap.Interval del = mr.figure(Metric.DELETION_AUC);
      parts.add(mr.method().cliName() + " " + (del == null ? 0 : del.n()) + " images, " + mr.requests() + " requests"
          + (mr.failures() > 0 ? ", " + mr.failures() + " failed (" + mr.firstFailure() + ")" : ""));
    }
    b.append(esc(String.join("; ", parts))).append(". Faithfulness figures explain the classifier's top-1;");
    b.append(" the pointing game and localisation explain the true class");
    if ("none".equals(h.truthKind())) {
      b.append(" and are absent: the data has no object masks or boxes");
    }
    return b.append(".</p>\n").toString();
  }

  private static List<SvgChart.Series> series(Evaluator.Result r, boolean deletion) {
    List<SvgChart.Series> out = new ArrayList<>();
    for (MethodReport mr : r.methods()) {
      out.add(new SvgChart.Series(mr.method().cliName(), COLOURS.get(mr.method()),
          deletion ? mr.deletionCurve() : mr.insertionCurve(), mr.method() == MethodName.GENERATOR));
    }
    return out;
  }

  /** The randomisation test: a table per measure and the curves of |Spearman| and SSIM. */
  static String randomisation(RandomisationTest.Result t) {
    StringBuilder b = new StringBuilder("<h2>Model parameter randomisation test</h2>\n");
    b.append("<p class=\"note\">Cascading randomisation (Adebayo et al. 2018): the classifier's learnable layers are")
        .append(" replaced by random values from the logits down; each method's maps of the same ").append(t.images())
        .append(" images (the trained classifier's top-1) are compared with its maps on the trained classifier."
            + " An explanation of the classifier must lose similarity as layers are randomised. The generator is"
            + " retrained against each level's classifier (level 0 with the same short schedule).</p>\n");
    String[] titles = {"Spearman rank correlation", "Spearman rank correlation of absolute values", "SSIM"};
    for (int measure = 0; measure < 3; measure++) {
      b.append("<h3>").append(titles[measure]).append("</h3>\n<table>\n<tr><th>randomised layers</th>");
      for (RandomisationTest.Curve c : t.curves()) {
        b.append("<th>").append(esc(c.method().cliName())).append("</th>");
      }
      b.append("</tr>\n");
      for (int l = 0; l < t.levels().size(); l++) {
        b.append("<tr><td class=\"method\">").append(t.levels().get(l)).append(" <small>(down to ")
            .append(esc(t.randomisedDownTo().get(l))).append(")</small></td>");
        for (RandomisationTest.Curve c : t.curves()) {
          List<Bootstrap.Interval> values = measure == 0 ? c.spearman() : measure == 1 ? c.spearmanAbs() : c.ssim();
          b.append("<td class=\"num\">").append(String.format(Locale.ROOT, "%.3f", values.get(l).estimate()))
              .append("</td>");
        }
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
    List<SvgChart.Series> abs = new ArrayList<>();
    List<SvgChart.Series> ssim = new ArrayList<>();
    for (RandomisationTest.Curve c : t.curves()) {
      boolean bold = c.method() == MethodName.GENERATOR;
      abs.add(new SvgChart.Series(c.method().cliName(), COLOURS.get(c.method()),
          c.spearmanAbs().stream().mapToDouble(Bootstrap.Interval::estimate).toArray(), bold));
      ssim.add(new SvgChart.Series(c.method().cliName(), COLOURS.get(c.method()),
          c.ssim().stream().mapToDouble(Bootstrap.Interval::estimate).toArray(), bold));
    }
    b.append("<div class=\"pair\">\n")
        .append(SvgChart.render("|Spearman| with the trained model's maps", "levels (left: none randomised)",
            "rank correlation", abs))
        .append(SvgChart.render("SSIM with the trained model's maps", "levels (left: none randomised)", "SSIM", ssim))
        .append("</div>\n");
    return b.toString();
  }

  private static String gallery(ReportHeader h, Evaluator.Result r) {
    if (r.gallery().isEmpty()) {
      return "";
    }
    boolean truth = r.gallery().stream().anyMatch(g -> g.truth() != null);
    StringBuilder b = new StringBuilder("<h2>Gallery</h2>\n<p class=\"note\">Per method the saliency map (min-max"
        + " normalised, dark = low, yellow = high) and the image with the pixels its deterministic mask removes"
        + " darkened.");
    if (truth) {
      b.append(" <i>Ground truth</i>: the image with everything outside the object (mask or boxes) darkened;"
          + " boxes are outlined in green on every picture of their row.");
    }
    b.append("</p>\n<table>\n<thead><tr><th>image</th>");
    if (truth) {
      b.append("<th>ground truth</th>");
    }
    for (MethodName m : h.methods()) {
      b.append("<th>").append(esc(m.cliName())).append("<br/><small>map, mask</small></th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (Gallery.Row row : r.gallery()) {
      b.append("<tr><td>").append(img(row.image(), row.name())).append("<small>").append(esc(row.name()))
          .append("<br/>true ").append(esc(row.trueLabel())).append("<br/>top-1 ").append(esc(row.predicted()))
          .append("</small></td>");
      if (truth) {
        b.append("<td>").append(row.truth() == null ? "&#8212;" : img(row.truth(), "ground truth")).append("</td>");
      }
      for (MethodName m : h.methods()) {
        Gallery.Cell c = row.cells().get(m);
        b.append("<td>").append(c == null ? "&#8212;" : "<div class=\"pair\">" + img(c.map(), m.cliName() + " map")
            + img(c.mask(), m.cliName() + " mask") + "</div>").append("</td>");
      }
      b.append("</tr>\n");
    }
    return b.append("</tbody>\n</table>\n").toString();
  }

  private static String img(byte[] png, String alt) {
    return "<img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\" alt=\"" + esc(alt) + "\"/>";
  }

  private static String interval(Bootstrap.Interval i) {
    return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", i.estimate(), i.low(), i.high());
  }

  private static String fmt(Metric m, double v) {
    if (!Double.isFinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, m == Metric.METHOD_MILLIS ? "%.1f" : "%.3f", v);
  }

  /** {@code s} escaped for HTML/XML text and attribute values. */
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
        default -> {
          // XML 1.0 forbids most control characters; drop them rather than write an unparsable page.
          if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
