package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskserve.cli.CliTest;
import io.maskserve.cli.CliTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality claim made for {@code models/resnet20-cifar10/generator-gradient-decoder.onnx}
 * (BENCHMARKS.md: deletion AUC below and insertion AUC above the vanilla gradient's), checked with
 * {@code evaluate} on 100 held-out images (files 0900–0909 of every class, never trained on). The
 * models and images are fixed, so the figures are too: this fails if a change to the tap, the
 * server or the metrics makes the claim false on these images.
 */
@Timeout(300)
class ShippedGeneratorQualityTest {

  static final Path SHARED = EvaluateCommandTest.SHARED;
  static final Path RESNET = EvaluateCommandTest.RESNET;

  @Test
  void theGradientDecoderBeatsTheVanillaGradientOnBothCurves(@TempDir Path dir) throws Exception {
    Path shipped = Path.of("").toAbsolutePath().getParent()
        .resolve("models/resnet20-cifar10/generator-gradient-decoder.onnx");
    Path zoo = dir.resolve("zoo");
    assertEquals(0, CliTest.run("zoo", "register-classifier", "--zoo", zoo.toString(), "--name", "resnet20",
        "--version", "1", "--onnx", RESNET.resolve("model.onnx").toString(), "--labels",
        RESNET.resolve("labels.txt").toString(), "--input-size", "32", "--mean", "0.485,0.456,0.406", "--std",
        "0.229,0.224,0.225").exit());
    Run reg = CliTest.run("zoo", "register-generator", "--zoo", zoo.toString(), "--classifier", "resnet20",
        "--version", "1", "--onnx", shipped.toString(), "--threshold", "0.5");
    assertEquals(0, reg.exit(), reg.err());
    List<String> list = new ArrayList<>();
    for (String c : Files.readAllLines(RESNET.resolve("labels.txt")).stream().filter(l -> !l.isBlank()).toList()) {
      for (int i = 900; i < 910; i++) {
        list.add(SHARED.resolve("datasets/cifar10-test").resolve(c).resolve(String.format(Locale.ROOT, "%04d.jpg", i))
            .toAbsolutePath() + " " + c);
      }
    }
    Path listFile = Files.write(dir.resolve("eval.txt"), list, StandardCharsets.UTF_8);
    Run r = CliTest.run("evaluate", "--zoo", zoo.toString(), "--model", "resnet20", "--data", listFile.toString(),
        "--methods", "generator,gradient", "--bootstrap", "100", "--gallery", "0", "--out",
        dir.resolve("report").toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode report = new ObjectMapper().readTree(dir.resolve("report/report.json").toFile());
    assertEquals(100, report.at("/data/images").asInt());
    double genDeletion = mean(report, "generator", "deletion_auc");
    double gradDeletion = mean(report, "gradient", "deletion_auc");
    double genInsertion = mean(report, "generator", "insertion_auc");
    double gradInsertion = mean(report, "gradient", "insertion_auc");
    String figures = String.format(Locale.ROOT, "deletion generator %.3f gradient %.3f; insertion generator %.3f"
        + " gradient %.3f", genDeletion, gradDeletion, genInsertion, gradInsertion);
    System.out.println(figures);
    assertTrue(genDeletion < gradDeletion, figures);
    assertTrue(genInsertion > gradInsertion + 0.1, figures);
  }

  private static double mean(JsonNode report, String method, String metric) {
    JsonNode m = report.at("/methods/" + method + "/figures/" + metric + "/mean");
    assertTrue(m.isNumber(), method + " " + metric + " in the report");
    return m.asDouble();
  }
}
