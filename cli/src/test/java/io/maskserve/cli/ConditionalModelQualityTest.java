package io.maskserve.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.maskserve.cli.demo.DefaultZoo;
import io.maskserve.client.Masks;
import io.maskserve.client.MaskserveClient;
import io.maskserve.client.ProbabilityMaps;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.trainer.reinforce.Evaluation;
import io.maskserve.trainer.synth.PairScene;
import io.maskserve.trainer.synth.Scene;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.GeneratorInfo;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped class-conditional generator ({@code synth-conditional}), served end to end on
 * two-object scenes, each object's class requested in turn ({@code target_class}), next to the
 * unconditional default generator asked the same questions (which can only explain one of the
 * two objects). The bar is the measured gap, not perfection: the class input must move the map
 * towards the requested object and keep more of the requested class's probability.
 */
class ConditionalModelQualityTest {

  static final int SCENES = 100;
  static final String CONDITIONAL = "synth-conditional";
  static final String UNCONDITIONAL = "synth";

  /** Means over every (scene, requested class) pair. */
  private static final class Tally {
    double hits;
    double iou;
    double keep;
    double probability;
    int n;

    void add(ExplainResponse r, Scene asked, GeneratorInfo g) {
      float[][] map = ProbabilityMaps.toFloatArray(r.getProbabilityMap());
      boolean[][] mask = Masks.unpack(r.getMask());
      hits += Evaluation.pointingHit(DefaultModelQualityTest.cells(map, g.getOutputHeight(), g.getOutputWidth()),
          g.getOutputHeight(), g.getOutputWidth(), asked.mask(), 64, 64, Evaluation.defaultTolerance(64)) ? 1 : 0;
      iou += DefaultModelQualityTest.iou(mask, asked);
      keep += r.getMask().getKeepFraction();
      probability += r.getMask().getTargetProbability();
      n++;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "pointing %.3f, IoU %.3f, keep %.3f, p(requested | masked) %.3f", hits / n,
          iou / n, keep / n, probability / n);
    }
  }

  @Test
  void shippedConditionalGeneratorExplainsTheRequestedClass(@TempDir Path tmp) throws Exception {
    try (DefaultZoo.Extracted zoo = DefaultZoo.extract(getClass().getClassLoader(), DefaultZoo.RESOURCE_ROOT, tmp);
        MaskserveServer server = MaskserveServer.start(ServerConfig.builder().zoo(zoo.dir()).port(0)
            .shutdownGrace(Duration.ofSeconds(1)).build());
        MaskserveClient client = MaskserveClient.forTarget("localhost:" + server.port()).build()) {
      GeneratorInfo conditional = client.getModel(CONDITIONAL, "1").getGenerator();
      GeneratorInfo unconditional = client.getModel(UNCONDITIONAL, "1").getGenerator();
      assertTrue(conditional.getClassConditional(), "the shipped synth-conditional generator takes a target");
      assertFalse(unconditional.getClassConditional());
      // A seed no training or evaluation set of the shipped models used.
      SceneGenerator scenes = new SceneGenerator(SceneConfig.ofSize(64), 20261126);
      Tally cond = new Tally();
      Tally uncond = new Tally();
      for (int i = 0; i < SCENES; i++) {
        PairScene p = scenes.pair(i);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(p.image(), "png", png);
        ByteString bytes = ByteString.copyFrom(png.toByteArray());
        for (ShapeClass asked : new ShapeClass[] {p.first(), p.second()}) {
          ExplainRequest.Builder request = ExplainRequest.newBuilder().setEncoded(bytes)
              .setTargetClass(asked.ordinal());
          ExplainResponse rc = client.explain(request.setModel(CONDITIONAL).build());
          ExplainResponse ru = client.explain(request.setModel(UNCONDITIONAL).build());
          cond.add(rc, p.as(asked), conditional);
          uncond.add(ru, p.as(asked), unconditional);
        }
      }
      System.out.printf(Locale.ROOT, "%d two-object scenes, each class requested:%n  %s: %s%n  %s: %s%n", SCENES,
          CONDITIONAL, cond, UNCONDITIONAL, uncond);
      // Measured (BENCHMARKS.md): conditional pointing 0.615, p(requested | masked) 0.665; the
      // unconditional generator 0.500 and 0.458 — it points at the same object whatever is asked.
      assertTrue(cond.keep / cond.n <= 0.25, "conditional keep " + cond);
      assertTrue(cond.hits / cond.n - uncond.hits / uncond.n >= 0.08,
          "the class input must move the map to the requested object: conditional " + cond + " vs unconditional "
              + uncond);
      assertTrue(cond.probability / cond.n - uncond.probability / uncond.n >= 0.1,
          "the conditional mask must keep more of the requested class: conditional " + cond + " vs unconditional "
              + uncond);
    }
  }
}
