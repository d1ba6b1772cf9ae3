package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskserve.cli.CliTest;
import io.maskserve.cli.CliTest.Run;
import io.maskserve.v1.ArtifactInfo;
import io.maskserve.v1.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code maskserve evaluate}: a real run on ResNet-20 and CIFAR-10, and its usage errors. */
@Timeout(180)
class EvaluateCommandTest {

  static final Path SHARED = Path.of(System.getProperty("maskserve.shared", "../../shared"));
  static final Path RESNET = SHARED.resolve("models/resnet20-cifar10");
  static final Path CIFAR = SHARED.resolve("datasets/cifar10-test");
  static final String XHTML = "http://www.w3.org/1999/xhtml";
  static final String SVG = "http://www.w3.org/2000/svg";

  static Run run(String... args) {
    return CliTest.run(args);
  }

  @Test
  void evaluatesCifarImagesWithEveryMethodThroughAnInProcessServer(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(RESNET.resolve("model.onnx")) && Files.isDirectory(CIFAR), "shared data not present");
    Path zoo = resnetZoo(dir);
    // Four images of the evaluation split (0800-0999), one class each; boxes drawn by the test (a
    // centred square) so the pointing game and localisation run too.
    String[] classes = {"airplane", "automobile", "bird", "cat"};
    List<String> list = new ArrayList<>();
    StringBuilder boxes = new StringBuilder("{");
    for (int i = 0; i < classes.length; i++) {
      String file = classes[i] + "/080" + i + ".jpg";
      list.add(CIFAR.resolve(file).toAbsolutePath() + " " + classes[i]);
      boxes.append(i == 0 ? "" : ",").append('"').append(file).append("\": {\"boxes\": [[8, 8, 24, 24]]}");
    }
    Path listFile = Files.write(dir.resolve("eval.txt"), list, StandardCharsets.UTF_8);
    Path boxFile = Files.writeString(dir.resolve("boxes.json"), boxes.append("}"));
    Path out = dir.resolve("report");

    Run r = run("evaluate", "--zoo", zoo.toString(), "--model", "resnet20", "--data", listFile.toString(), "--boxes",
        boxFile.toString(), "--rise-masks", "16", "--smoothgrad-samples", "2", "--ig-steps", "2", "--bootstrap", "200",
        "--gallery", "2", "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("evaluate: 4/4 images (100%)"), "progress line: " + r.err());
    assertTrue(r.out().contains("wrote "), r.out());

    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(4, report.at("/data/images").asInt());
    assertEquals("boxes", report.at("/data/ground_truth").asText());
    assertEquals(32, report.at("/settings/step_pixels").asInt());
    for (MethodName m : MethodName.values()) {
      JsonNode method = report.at("/methods/" + m.cliName());
      assertTrue(method.isObject(), "report has " + m.cliName());
      assertEquals(0, method.get("failures").asInt(), m.cliName() + ": " + method);
      for (Metric metric : List.of(Metric.DELETION_AUC, Metric.INSERTION_AUC, Metric.KEEP_FRACTION,
          Metric.MASK_PROBABILITY, Metric.SALIENCY_METRIC, Metric.ENCODING_RATE, Metric.POINTING_ACCURACY,
          Metric.LOCALISATION_ERROR, Metric.TOP1_LOCALISATION_ERROR)) {
        JsonNode f = method.at("/figures/" + metric.key);
        assertTrue(f.isObject(), m.cliName() + " has " + metric.key);
        double mean = f.get("mean").asDouble();
        assertTrue(f.at("/ci95/0").asDouble() <= mean + 1e-12 && mean <= f.at("/ci95/1").asDouble() + 1e-12,
            m.cliName() + " " + metric.key + ": " + f);
      }
      assertEquals(4, method.at("/figures/deletion_auc/n").asInt());
      assertEquals(33, method.at("/curves/deletion").size(), "32x32 in steps of 32 px, plus the start");
    }
    // The baselines keep a quarter of the pixels by default.
    assertEquals(0.25, report.at("/methods/rise/figures/keep_fraction/mean").asDouble(), 1e-3);
    // Paired comparisons against the generator: on the same images, the mean of the per-image
    // differences is the difference of the means (pointing: of the class-averaged accuracies).
    assertEquals("generator", report.at("/paired/reference").asText());
    for (MethodName m : MethodName.values()) {
      if (m == MethodName.GENERATOR) {
        assertTrue(report.at("/paired/methods/generator").isMissingNode());
        continue;
      }
      for (Metric metric : PairedComparison.METRICS) {
        JsonNode d = report.at("/paired/methods/" + m.cliName() + "/" + metric.key);
        assertEquals(4, d.get("n").asInt(), m.cliName() + " " + metric.key + ": " + d);
        assertEquals(report.at("/methods/" + m.cliName() + "/figures/" + metric.key + "/mean").asDouble()
            - report.at("/methods/generator/figures/" + metric.key + "/mean").asDouble(), d.get("mean").asDouble(),
            1e-9, m.cliName() + " " + metric.key);
        assertTrue(List.of("better", "worse", "level").contains(d.get("verdict").asText()), d.toString());
      }
    }
    assertTrue(r.out().contains("rise - generator, paired: deletion_auc "), r.out());

    Document html = parseXhtml(out.resolve("report.html"));
    NodeList svgs = html.getElementsByTagNameNS(SVG, "svg");
    assertEquals(2, svgs.getLength(), "deletion and insertion charts");
    assertEquals(2 * MethodName.values().length, html.getElementsByTagNameNS(SVG, "polyline").getLength());
    NodeList images = html.getElementsByTagNameNS(XHTML, "img");
    // Two gallery rows: the image, its ground truth, and a map and a mask per method.
    assertEquals(2 * (2 + 2 * MethodName.values().length), images.getLength());
    for (int i = 0; i < images.getLength(); i++) {
      assertTrue(((Element) images.item(i)).getAttribute("src").startsWith("data:image/png;base64,"));
    }
  }

  @Test
  void randomisationTestComparesMapsAsLayersAreRandomisedInAScratchZoo(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(RESNET.resolve("model.onnx")) && Files.isDirectory(CIFAR), "shared data not present");
    Path zoo = resnetZoo(dir);
    List<String> list = new ArrayList<>();
    String[] classes = {"airplane", "automobile", "bird", "cat"};
    for (int i = 0; i < classes.length; i++) {
      list.add(CIFAR.resolve(classes[i] + "/081" + i + ".jpg").toAbsolutePath() + " " + classes[i]);
    }
    Path listFile = Files.write(dir.resolve("eval.txt"), list, StandardCharsets.UTF_8);
    List<Path> zooBefore = directories(zoo);

    // The generator is retrained per level, so testing it needs training images.
    Run noTrain = run("evaluate", "--zoo", zoo.toString(), "--model", "resnet20", "--data", listFile.toString(),
        "--methods", "generator", "--randomisation", "--out", dir.resolve("r0").toString());
    assertEquals(1, noTrain.exit());
    assertTrue(noTrain.err().contains("--randomisation-train"), noTrain.err());

    Path out = dir.resolve("report");
    Run r = run("evaluate", "--zoo", zoo.toString(), "--model", "resnet20", "--data", listFile.toString(), "--methods",
        "gradient", "--bootstrap", "100", "--randomisation", "--randomisation-images", "4", "--randomisation-levels",
        "20,1", "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("randomisation test (4 images"), r.out());
    JsonNode t = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("randomisation");
    assertEquals(4, t.get("images").asInt());
    assertEquals(3, t.get("levels").size(), "level 0 is always measured, the levels sorted");
    assertEquals(0, t.at("/levels/0/randomised_layers").asInt());
    assertEquals("none", t.at("/levels/0/down_to").asText());
    assertEquals(1, t.at("/levels/1/randomised_layers").asInt());
    assertTrue(t.at("/levels/1/down_to").asText().contains("Gemm"), "the logits' layer first: " + t.get("levels"));
    assertEquals(20, t.at("/levels/2/randomised_layers").asInt());
    JsonNode spearman = t.at("/methods/gradient/spearman");
    assertEquals(1.0, spearman.at("/0/mean").asDouble(), 1e-9, "the trained model's maps against themselves");
    assertEquals(1.0, t.at("/methods/gradient/ssim/0/mean").asDouble(), 1e-9);
    double allRandom = spearman.at("/2/mean").asDouble();
    assertTrue(allRandom < 0.6, "the gradient of a fully random ResNet-20 is another map: Spearman " + allRandom);
    assertTrue(t.at("/methods/gradient/ssim/2/mean").asDouble() < 0.5, t.toString());

    Document html = parseXhtml(out.resolve("report.html"));
    assertEquals(4, html.getElementsByTagNameNS(SVG, "svg").getLength(), "deletion, insertion, |Spearman|, SSIM");
    assertEquals(zooBefore, directories(zoo), "the randomised classifiers live in a scratch zoo, not in the user's");
  }

  @Test
  void randomisationRetrainsAFeatureDecoderAsADecoderOfTheSameTensors(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(RESNET.resolve("model.onnx")) && Files.isDirectory(CIFAR), "shared data not present");
    String layer3 = "/layer3/layer3.2/Relu_1_output_0";
    Path zoo = dir.resolve("zoo");
    assertEquals(0, run("zoo", "register-classifier", "--zoo", zoo.toString(), "--name", "resnet20", "--version", "1",
        "--onnx", RESNET.resolve("model.onnx").toString(), "--labels", RESNET.resolve("labels.txt").toString(),
        "--input-size", "32", "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225").exit());
    Path gen = Files.write(dir.resolve("decoder.onnx"),
        io.maskserve.zoo.onnx.ReferenceGenerators.featureActivationGenerator(layer3, 64, 8, 8));
    assertEquals(0, run("zoo", "register-generator", "--zoo", zoo.toString(), "--classifier", "resnet20", "--version",
        "1", "--onnx", gen.toString()).exit());
    List<String> eval = new ArrayList<>();
    List<String> train = new ArrayList<>();
    String[] classes = {"airplane", "automobile", "bird", "cat"};
    for (int i = 0; i < classes.length; i++) {
      eval.add(CIFAR.resolve(classes[i] + "/082" + i + ".jpg").toAbsolutePath() + " " + classes[i]);
      train.add(CIFAR.resolve(classes[i] + "/002" + i + ".jpg").toAbsolutePath() + " " + classes[i]);
    }
    Path evalList = Files.write(dir.resolve("eval.txt"), eval, StandardCharsets.UTF_8);
    Path trainList = Files.write(dir.resolve("train.txt"), train, StandardCharsets.UTF_8);
    String[] common = {"evaluate", "--zoo", zoo.toString(), "--model", "resnet20", "--data", evalList.toString(),
        "--methods", "generator", "--bootstrap", "50", "--randomisation", "--randomisation-images", "4",
        "--randomisation-levels", "1", "--randomisation-train", trainList.toString(), "--randomisation-steps", "2"};
    Run r = run(concat(common, "--out", dir.resolve("ok").toString(),
        "--randomisation-train-args=--batch-size 4 --samples 2 --estimator REINFORCE --decoder-width 4"));
    assertEquals(0, r.exit(), r.err());
    JsonNode t = new ObjectMapper().readTree(dir.resolve("ok").resolve("report.json").toFile()).get("randomisation");
    assertEquals(2, t.at("/methods/generator/spearman").size(), t.toString());
    // --decoder-width only matters to a decoder: 0 fails each level's training, so the retrained
    // generators were decoders (of the served generator's tensors, added by evaluate).
    Run bad = run(concat(common, "--out", dir.resolve("bad").toString(),
        "--randomisation-train-args=--batch-size 4 --samples 2 --decoder-width 0"));
    assertEquals(1, bad.exit(), bad.err());
    assertTrue(bad.err().contains("training the generator of randomisation"), bad.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A zoo in {@code dir} holding resnet20:1 (the real ResNet-20) with the stand-in generator. */
  private static Path resnetZoo(Path dir) {
    Path zoo = dir.resolve("zoo");
    Path gen = dir.resolve("gen.onnx");
    assertEquals(0, run("zoo", "register-classifier", "--zoo", zoo.toString(), "--name", "resnet20", "--version", "1",
        "--onnx", RESNET.resolve("model.onnx").toString(), "--labels", RESNET.resolve("labels.txt").toString(),
        "--input-size", "32", "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225").exit());
    assertEquals(0, run("zoo", "make-reference-generator", "--input-size", "32", "--out", gen.toString()).exit());
    assertEquals(0, run("zoo", "register-generator", "--zoo", zoo.toString(), "--classifier", "resnet20", "--version",
        "1", "--onnx", gen.toString()).exit());
    return zoo;
  }

  /** The zoo's directories (models, versions, bookkeeping), sorted. */
  private static List<Path> directories(Path zoo) throws java.io.IOException {
    try (var walk = Files.walk(zoo)) {
      return walk.filter(Files::isDirectory).sorted().toList();
    }
  }

  /** Parses the report as XML: it is written as polyglot HTML, so a well-formed page parses. */
  static Document parseXhtml(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document doc = f.newDocumentBuilder().parse(file.toFile());
    assertEquals("html", doc.getDocumentElement().getLocalName());
    return doc;
  }

  @Test
  void usageErrorsAreOneLineAndExit2(@TempDir Path dir) {
    String data = dir.toString();
    String out = dir.resolve("out").toString();
    Run r = run("evaluate", "--zoo", data, "--model", "m", "--data", data, "--methods", "generator,bogus", "--out", out);
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("maskserve evaluate: --methods: unknown method 'bogus'"), r.err());
    r = run("evaluate", "--server", "localhost:1", "--model", "m", "--data", data, "--out", out);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--classifier FILE is required with --server"), r.err());
    r = run("evaluate", "--server", "localhost:1", "--zoo", data, "--model", "m", "--data", data, "--out", out);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("mutually exclusive"), r.err());
    r = run("evaluate", "--zoo", data, "--model", "m", "--data", data, "--localisation-threshold", "2", "--out", out);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--localisation-threshold"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    r = run("evaluate", "--zoo", data, "--model", "m", "--data", data, "--deletion-substrate", "noise", "--out", out);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--deletion-substrate must be 'mean' or 'blur', got 'noise'"), r.err());
    r = run("evaluate", "--zoo", dir.resolve("missing").toString(), "--model", "m", "--data", data, "--out", out);
    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith("maskserve evaluate: zoo directory "), r.err());
  }

  @Test
  void aClassifierFileThatIsNotTheServedOneIsRefused(@TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("c.onnx"), new byte[] {1, 2, 3});
    ModelInfo served = ModelInfo.newBuilder().setName("m").setVersion("1")
        .setClassifier(ArtifactInfo.newBuilder().setSha256("0".repeat(64))).build();
    EvaluateException e = assertThrows(EvaluateException.class, () -> ClassifierSource.load(served, null, file));
    assertTrue(e.getMessage().contains("is not the classifier of m:1"), e.getMessage());
    assertEquals(3, ClassifierSource.load(served.toBuilder().setClassifier(ArtifactInfo.newBuilder()
        .setSha256(io.maskserve.client.MaskserveClient.sha256(file))).build(), null, file).length);
  }

  @Test
  void methodListsParseInOrderWithoutRepeats() {
    assertEquals(List.of(MethodName.RISE, MethodName.GENERATOR, MethodName.INTEGRATED_GRADIENTS),
        MethodName.parseList("rise, generator,Integrated_Gradients,rise"));
    assertEquals(MethodName.values().length, MethodName.parseList(MethodName.allNames()).size());
    assertEquals(MethodName.CENTRE, MethodName.parse("centre"));
    assertEquals(MethodName.RANDOM, MethodName.parse("random"));
    assertThrows(IllegalArgumentException.class, () -> MethodName.parseList("generator,"));
  }
}
