package io.maskserve.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.onnxruntime.OrtEnvironment;
import com.google.protobuf.ByteString;
import io.maskserve.client.Masks;
import io.maskserve.trainer.metrics.Bootstrap;
import io.maskserve.trainer.metrics.Box;
import io.maskserve.trainer.metrics.DeletionInsertion;
import io.maskserve.trainer.metrics.LocalisationError;
import io.maskserve.trainer.reinforce.OrtClassifier;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.SaliencyMap;
import io.maskserve.zoo.onnx.OnnxGraphBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which response each figure is computed from: faithfulness from the top-1's explanation, the
 * pointing game and localisation from the true class's, and failures counted, not scored.
 */
class ChunkScorerTest {

  static final int S = 8;

  /** A classifier whose two logits are always 0 (the figures' values do not matter here). */
  static OrtClassifier flatClassifier() throws Exception {
    OnnxGraphBuilder b = new OnnxGraphBuilder("flat");
    String x = b.floatInput("input", "N", 3, S, S);
    String flat = b.node("Flatten", List.of(x), OnnxGraphBuilder.intAttr("axis", 1));
    b.nodeTo("Gemm", List.of(flat, b.floatInitializer("w", new float[3 * S * S * 2], 3 * S * S, 2),
        b.floatInitializer("b", new float[2], 2)), "logits");
    b.floatOutput("logits", "N", 2);
    return new OrtClassifier(OrtEnvironment.getEnvironment(),
        b.toBytes(OnnxGraphBuilder.DEFAULT_IR_VERSION, OnnxGraphBuilder.DEFAULT_OPSET), S, S, 1, 16);
  }

  /** A response whose map peaks on the 2x2 block at (x, y) and whose mask keeps that block. */
  static ExplainResponse response(int x, int y) {
    ByteBuffer data = ByteBuffer.allocate(4 * S * S).order(ByteOrder.LITTLE_ENDIAN);
    boolean[][] mask = new boolean[S][S];
    for (int r = 0; r < S; r++) {
      for (int c = 0; c < S; c++) {
        boolean on = r >= y && r < y + 2 && c >= x && c < x + 2;
        data.putFloat(on ? 1f : 0f);
        mask[r][c] = on;
      }
    }
    return ExplainResponse.newBuilder()
        .setSaliencyMap(SaliencyMap.newBuilder().setHeight(S).setWidth(S).setData(ByteString.copyFrom(data.array())))
        .setMask(Masks.pack(mask).toBuilder().setTargetProbability(0.25f))
        .setTargetOriginalProbability(0.5f)
        .build();
  }

  /** One image of class 1 that the classifier calls 0, with a ground-truth box at columns/rows 5..6. */
  static Chunk chunk() {
    Box box = new Box(5, 5, 7, 7);
    LoadedImage image = new LoadedImage(new float[3 * S * S], null, Box.union(List.of(box), S, S), List.of(box));
    return new Chunk(0, List.of(new EvalItem(Path.of("x.png"), 1, null, List.of(box))), List.of(image), new int[] {0},
        new float[3 * S * S], new boolean[] {false});
  }

  @Test
  void groundTruthFiguresComeFromTheTrueClassExplanation() throws Exception {
    try (OrtClassifier clf = flatClassifier()) {
      ChunkScorer scorer = new ChunkScorer(clf, S, S, S, DeletionInsertion.Substrate.MEAN, LocalisationError.Threshold.casmeMean());
      // The top-1's map points at (0,0), the true class's map at the box.
      List<ExplainResponse> responses = List.of(response(0, 0), response(5, 5));
      MethodTally routed = new MethodTally(MethodName.GRADIENT);
      scorer.score(chunk(), MethodName.GRADIENT, responses, new int[] {1}, routed, new Gallery(0));
      MethodReport r = routed.summarize(new Bootstrap(50, 1));
      assertEquals(1.0, r.figure(Metric.POINTING_ACCURACY).estimate(), 1e-12);
      assertEquals(0.0, r.figure(Metric.LOCALISATION_ERROR).estimate(), 1e-12, "the 2x2 block is the box");
      assertEquals(1.0, r.figure(Metric.TOP1_LOCALISATION_ERROR).estimate(), 1e-12, "the top-1 is wrong");
      assertEquals(4 / 64.0, r.figure(Metric.KEEP_FRACTION).estimate(), 1e-6, "4 of 64 pixels, from the top-1's mask");
      assertEquals(0.5, r.figure(Metric.PROBABILITY_RATIO).estimate(), 1e-6);
      assertEquals(1, r.figure(Metric.DELETION_AUC).n());
      assertNull(r.figure(Metric.ENCODING_RATE), "no partner, no encoding figure");

      MethodTally unrouted = new MethodTally(MethodName.GRADIENT);
      scorer.score(chunk(), MethodName.GRADIENT, responses, new int[] {0}, unrouted, new Gallery(0));
      MethodReport u = unrouted.summarize(new Bootstrap(50, 1));
      assertEquals(0.0, u.figure(Metric.POINTING_ACCURACY).estimate(), 1e-12);
      assertEquals(1.0, u.figure(Metric.LOCALISATION_ERROR).estimate(), 1e-12);
    }
  }

  @Test
  void failedResponsesAreCountedAndSkipped() throws Exception {
    try (OrtClassifier clf = flatClassifier()) {
      ChunkScorer scorer = new ChunkScorer(clf, S, S, S, DeletionInsertion.Substrate.MEAN, LocalisationError.Threshold.casmeMean());
      ExplainResponse failed = ExplainResponse.newBuilder()
          .setError(com.google.rpc.Status.newBuilder().setCode(3).setMessage("bad tensor")).build();
      MethodTally tally = new MethodTally(MethodName.RISE);
      scorer.score(chunk(), MethodName.RISE, List.of(failed), new int[] {0}, tally, new Gallery(0));
      MethodReport r = tally.summarize(new Bootstrap(50, 1));
      assertEquals(1, r.failures());
      assertEquals("bad tensor", r.firstFailure());
      assertNull(r.figure(Metric.DELETION_AUC));
      assertEquals(0, r.deletionCurve().length);
    }
  }

  @Test
  void baselineMapsAreMinMaxNormalisedForLocalisation() {
    float[] n = ChunkScorer.minMax(new float[] {-2, 0, 2, Float.NaN});
    assertEquals(0f, n[0]);
    assertEquals(0.5f, n[1]);
    assertEquals(1f, n[2]);
    assertEquals(0f, n[3]);
    assertEquals(0f, ChunkScorer.minMax(new float[] {3, 3})[1], "a constant map is all zeros");
  }
}
