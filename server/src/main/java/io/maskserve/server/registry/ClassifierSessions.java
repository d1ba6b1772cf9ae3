package io.maskserve.server.registry;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.autodiff.GradientTap;
import io.maskserve.zoo.onnx.FeatureTaps;
import io.maskserve.zoo.optimize.PadFolding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The ONNX Runtime sessions a zoo version's classifier runs in.
 *
 * <p>A generator reading classifier tensors gets them from the classification pass itself: that
 * session is opened on the classifier with those tensors exposed as extra outputs ({@link
 * FeatureTaps}). When one of them needs a backward pass ({@link GradientTap}), classification and
 * the scoring of masked images use a second, plain session. Every session runs the classifier with
 * its zero Pads folded into their convolutions ({@link PadFolding}: the same logits, faster); when
 * nothing folds, ONNX Runtime reads the file itself rather than a serialized copy.
 *
 * @param classify the session that classifies images and scores masked ones
 * @param features the session whose outputs include the generator's tensors ({@code classify}
 *     itself when one session does both, or when the generator reads only the image)
 * @param padsFolded how many Pad nodes were folded (for the load log)
 */
record ClassifierSessions(OrtSession classify, OrtSession features, int padsFolded) {

  ClassifierSessions {
    Objects.requireNonNull(classify, "classify");
    Objects.requireNonNull(features, "features");
  }

  /**
   * Opens the sessions of {@code classifierFile} for a generator reading {@code features}. The
   * caller closes them (once when both are the same session).
   */
  static ClassifierSessions open(SessionFactory sessions, Path classifierFile, List<String> features)
      throws IOException, OrtException {
    ModelProto graph;
    try (InputStream in = Files.newInputStream(classifierFile)) {
      graph = ModelProto.parseFrom(in);
    }
    boolean plainNeeded = features.isEmpty() || GradientTap.anyIn(features);
    OrtSession plain = null;
    OrtSession tapped = null;
    int folded = 0;
    try {
      if (plainNeeded) {
        PadFolding.Folded f = PadFolding.fold(graph, List.of());
        folded = f.folded();
        plain = folded == 0 ? sessions.open(classifierFile) : sessions.open(f.model().toByteArray());
      }
      if (!features.isEmpty()) {
        PadFolding.Folded f = PadFolding.fold(FeatureTaps.withOutputs(graph, features), List.of());
        folded = Math.max(folded, f.folded());
        tapped = sessions.open(f.model().toByteArray());
      }
    } catch (OrtException | RuntimeException e) {
      closeQuietly(plain);
      closeQuietly(tapped);
      throw e;
    }
    return plainNeeded
        ? new ClassifierSessions(plain, tapped == null ? plain : tapped, folded)
        : new ClassifierSessions(tapped, tapped, folded);
  }

  private static void closeQuietly(OrtSession session) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException | RuntimeException ignored) {
      // best effort on a failure path
    }
  }
}
