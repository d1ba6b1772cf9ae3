package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.DeletionInsertion;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** report.json and report.html from a made-up result: structure, escaping, non-finite numbers. */
class ReportTest {

  static ReportHeader header() {
    return new ReportHeader("m", "1", "a <model> & \"friends\"\u0001", false, 4, 4, "0".repeat(64), "data/<dir>",
        "folder", "none", 0, List.of(MethodName.GENERATOR, MethodName.RISE), 4, DeletionInsertion.Substrate.MEAN, 7, 100, "mean",
        new RequestOptions(7, null, 16, null, null, "/layer<2>"), null, "2026-01-01T00:00:00Z");
  }

  static Evaluator.Result result() {
    Map<Metric, Bootstrap.Interval> gen = new EnumMap<>(Metric.class);
    gen.put(Metric.DELETION_AUC, new Bootstrap.Interval(0.2, 0.1, 0.3, 2));
    gen.put(Metric.SALIENCY_METRIC, new Bootstrap.Interval(Double.NaN, Double.NaN, Double.NaN, 0));
    Map<Metric, Bootstrap.Interval> rise = new EnumMap<>(Metric.class);
    rise.put(Metric.DELETION_AUC, new Bootstrap.Interval(0.4, 0.3, 0.5, 2));
    List<MethodReport> methods = List.of(
        new MethodReport(MethodName.GENERATOR, gen, new double[] {0.9, 0.5, 0.1}, new double[] {0.1, 0.5, 0.9}, 2, 0, null),
        new MethodReport(MethodName.RISE, rise, new double[] {0.9, 0.6, 0.2}, new double[] {0.2, 0.4, 0.8}, 2, 1,
            "deadline <exceeded>"));
    byte[] png = MapImages.png(MapImages.heat(new float[] {0, 1, 2, 3}, 2, 2));
    Gallery.Row row = new Gallery.Row("x&y.png", "cat", "dog (0.510)", png, null,
        Map.of(MethodName.GENERATOR, new Gallery.Cell(png, png)));
    // RISE's deletion is 0.2 worse than the generator's on the same images, its interval clear of 0.
    PairedComparison paired = new PairedComparison(MethodName.GENERATOR, MethodName.RISE,
        Map.of(Metric.DELETION_AUC, new Bootstrap.Interval(0.2, 0.15, 0.25, 2)));
    return new Evaluator.Result(new int[] {0, 1}, new int[] {0, 0}, new Bootstrap.Interval(0.5, 0, 1, 2), methods,
        List.of(row), 15.0 * 4 / 224, 1.5, List.of(paired));
  }

  @Test
  void theJsonHasEveryMethodItsIntervalsAndNullForNonFiniteNumbers() {
    JsonNode root = ReportJson.tree(header(), result());
    assertEquals(0.2, root.at("/methods/generator/figures/deletion_auc/mean").asDouble(), 1e-12);
    assertEquals(0.1, root.at("/methods/generator/figures/deletion_auc/ci95/0").asDouble(), 1e-12);
    assertTrue(root.at("/methods/generator/figures/saliency_metric/mean").isNull());
    assertTrue(root.at("/methods/rise/figures/insertion_auc").isMissingNode(), "figures without data are absent");
    assertEquals(1, root.at("/methods/rise/failures").asInt());
    assertEquals(1.0, root.at("/methods/rise/curves/fraction/2").asDouble(), 1e-12);
    assertEquals("lower", root.at("/metrics/deletion_auc/better").asText());
    assertEquals(16, root.at("/settings/rise_masks").asInt());
    assertTrue(root.at("/settings/keep_fraction").isNull());
    assertEquals("/layer<2>", root.at("/settings/gradcam_layer").asText());
    assertEquals("mean", root.at("/settings/deletion_substrate").asText());
    assertEquals("generator", root.at("/paired/reference").asText());
    assertEquals(0.2, root.at("/paired/methods/rise/deletion_auc/mean").asDouble(), 1e-12);
    assertEquals("worse", root.at("/paired/methods/rise/deletion_auc/verdict").asText());
    assertTrue(root.at("/paired/methods/rise/insertion_auc").isMissingNode());
  }

  @Test
  void theHtmlIsWellFormedWithChartsAndEscapedText(@TempDir Path dir) throws Exception {
    Path file = ReportHtml.write(dir, header(), result());
    Document doc = EvaluateCommandTest.parseXhtml(file);
    assertEquals(2, doc.getElementsByTagNameNS(EvaluateCommandTest.SVG, "svg").getLength());
    assertEquals(4, doc.getElementsByTagNameNS(EvaluateCommandTest.SVG, "polyline").getLength());
    String text = doc.getDocumentElement().getTextContent();
    assertTrue(text.contains("a <model> & \"friends\""), "escaped, then parsed back");
    assertFalse(text.contains("\u0001"), "control characters are dropped");
    assertTrue(text.contains("deadline <exceeded>"));
    assertTrue(text.contains("deletion substrate the mean (0)"), text);
    assertTrue(text.contains("Grad-CAM layer /layer<2>"), text);
    String html = ReportHtml.render(header(), result());
    assertTrue(html.contains("<b>0.200</b>"), "the best deletion AUC is bold");
    assertFalse(html.contains("<b>0.400</b>"));
    assertTrue(html.contains("data:image/png;base64,"));
    assertTrue(text.contains("Against generator, image by image") && text.contains("+0.200[+0.150, +0.250] worse"),
        text);
  }

  @Test
  void coloursRunFromDarkToBright() {
    assertEquals(0x000004, MapImages.colour(0f));
    assertEquals(0xFCFFA4, MapImages.colour(1f));
    assertEquals(0x000004, MapImages.colour(Float.NaN));
    assertEquals("1m05s", ProgressLine.duration(65));
    assertEquals("2h01m", ProgressLine.duration(7260));
  }
}
