package io.maskserve.cli.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskserve.trainer.metrics.Bootstrap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code report.json}: every figure per method with its 95% percentile-bootstrap interval
 * ({@code {"mean": m, "ci95": [low, high], "n": n}}, non-finite numbers as null), the mean
 * deletion/insertion curves, the settings and each metric's semantics. Figures that need ground
 * truth appear only when the data has it.
 */
final class ReportJson {

  /** File name of the report. */
  static final String FILE = "report.json";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  static Path write(Path dir, ReportHeader h, Evaluator.Result r) {
    return write(dir, h, r, null);
  }

  /** Writes the report, with the randomisation test's curves when {@code randomisation} is not null. */
  static Path write(Path dir, ReportHeader h, Evaluator.Result r, RandomisationTest.Result randomisation) {
    Path file = dir.resolve(FILE);
    try {
      ObjectNode root = tree(h, r);
      if (randomisation != null) {
        root.set("randomisation", randomisation(randomisation));
      }
      MAPPER.writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  static ObjectNode tree(ReportHeader h, Evaluator.Result r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("tool", "maskserve evaluate");
    root.put("created", h.created());
    ObjectNode model = root.putObject("model");
    model.put("name", h.model());
    model.put("version", h.version());
    model.put("description", h.description());
    model.put("input_height", h.inputHeight());
    model.put("input_width", h.inputWidth());
    model.put("class_conditional_generator", h.classConditional());
    model.put("classifier_sha256", h.classifierSha256());
    ObjectNode data = root.putObject("data");
    data.put("source", h.data());
    data.put("format", h.format());
    data.put("images", r.labels().length);
    data.put("ground_truth", h.truthKind());
    data.put("images_with_ground_truth", h.imagesWithTruth());
    data.set("classifier_top1_accuracy", interval(r.top1Accuracy()));
    ObjectNode settings = root.putObject("settings");
    ArrayNode methods = settings.putArray("methods");
    h.methods().forEach(m -> methods.add(m.cliName()));
    settings.put("step_pixels", h.step());
    settings.put("deletion_substrate", h.substrate().name().toLowerCase(java.util.Locale.ROOT));
    settings.put("seed", h.seed());
    settings.put("bootstrap_resamples", h.resamples());
    settings.put("confidence", Bootstrap.LEVEL);
    number(settings, "pointing_tolerance_px", r.tolerance());
    settings.put("localisation_threshold", h.localisationThreshold());
    RequestOptions o = h.options();
    if (o.keepFraction() == null) {
      settings.putNull("keep_fraction");
    } else {
      settings.put("keep_fraction", o.keepFraction());
    }
    optional(settings, "rise_masks", o.riseMasks());
    optional(settings, "smoothgrad_samples", o.smoothgradSamples());
    optional(settings, "ig_steps", o.igSteps());
    optional(settings, "gradcam_layer", o.gradCamLayer());
    optional(settings, "limit", h.limit());
    ObjectNode metrics = root.putObject("metrics");
    for (Metric m : Metric.values()) {
      ObjectNode node = metrics.putObject(m.key);
      node.put("title", m.title);
      node.put("better", m.better.word);
      node.put("needs_ground_truth", m.needsTruth());
      node.put("semantics", m.semantics);
    }
    ObjectNode perMethod = root.putObject("methods");
    for (MethodReport mr : r.methods()) {
      ObjectNode node = perMethod.putObject(mr.method().cliName());
      node.put("requests", mr.requests());
      node.put("failures", mr.failures());
      if (mr.firstFailure() != null) {
        node.put("first_failure", mr.firstFailure());
      }
      ObjectNode figures = node.putObject("figures");
      for (Metric m : Metric.values()) {
        Bootstrap.Interval i = mr.figure(m);
        if (i != null) {
          figures.set(m.key, interval(i));
        }
      }
      ObjectNode curves = node.putObject("curves");
      double[] del = mr.deletionCurve();
      ArrayNode x = curves.putArray("fraction");
      for (int k = 0; k < del.length; k++) {
        x.add(del.length < 2 ? 0 : k / (double) (del.length - 1));
      }
      array(curves.putArray("deletion"), del);
      array(curves.putArray("insertion"), mr.insertionCurve());
    }
    if (!r.comparisons().isEmpty()) {
      ObjectNode paired = root.putObject("paired");
      paired.put("reference", r.comparisons().get(0).reference().cliName());
      paired.put("semantics", "per method and metric: mean of (method - reference) over the images both were"
          + " scored on, with a paired percentile-bootstrap 95% interval (images resampled, both values together);"
          + " verdict: the method is better/worse than the reference when the interval excludes 0, else level");
      ObjectNode per = paired.putObject("methods");
      for (PairedComparison c : r.comparisons()) {
        ObjectNode node = per.putObject(c.method().cliName());
        for (Metric m : PairedComparison.METRICS) {
          Bootstrap.Interval d = c.difference(m);
          if (d != null) {
            ObjectNode f = interval(d);
            f.put("verdict", c.verdictWord(m));
            node.set(m.key, f);
          }
        }
      }
    }
    number(root, "seconds", r.seconds());
    return root;
  }

  /** The randomisation test: levels, the layer each reaches, and per method one interval per level and measure. */
  static ObjectNode randomisation(RandomisationTest.Result t) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("reference", "Adebayo et al. 2018, cascading model parameter randomisation");
    node.put("images", t.images());
    ArrayNode levels = node.putArray("levels");
    for (int i = 0; i < t.levels().size(); i++) {
      ObjectNode l = levels.addObject();
      l.put("randomised_layers", t.levels().get(i));
      l.put("down_to", t.randomisedDownTo().get(i));
    }
    ObjectNode methods = node.putObject("methods");
    for (RandomisationTest.Curve c : t.curves()) {
      ObjectNode m = methods.putObject(c.method().cliName());
      ArrayNode sp = m.putArray("spearman");
      c.spearman().forEach(i -> sp.add(interval(i)));
      ArrayNode spAbs = m.putArray("spearman_abs");
      c.spearmanAbs().forEach(i -> spAbs.add(interval(i)));
      ArrayNode ssim = m.putArray("ssim");
      c.ssim().forEach(i -> ssim.add(interval(i)));
    }
    return node;
  }

  private static ObjectNode interval(Bootstrap.Interval i) {
    ObjectNode n = MAPPER.createObjectNode();
    number(n, "mean", i.estimate());
    ArrayNode ci = n.putArray("ci95");
    addNumber(ci, i.low());
    addNumber(ci, i.high());
    n.put("n", i.n());
    return n;
  }

  private static void array(ArrayNode a, double[] values) {
    for (double v : values) {
      addNumber(a, v);
    }
  }

  private static void number(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) {
      n.put(key, v);
    } else {
      n.putNull(key);
    }
  }

  private static void addNumber(ArrayNode a, double v) {
    if (Double.isFinite(v)) {
      a.add(v);
    } else {
      a.addNull();
    }
  }

  private static void optional(ObjectNode n, String key, Integer v) {
    if (v == null) {
      n.putNull(key);
    } else {
      n.put(key, v);
    }
  }

  private static void optional(ObjectNode n, String key, String v) {
    if (v == null) {
      n.putNull(key);
    } else {
      n.put(key, v);
    }
  }
}
