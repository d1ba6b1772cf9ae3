package io.maskserve.server.registry;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.onnx.ClassifierGraphs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The ONNX Runtime sessions a zoo version's classifier runs in.
 *
 * <p>Opened on the graphs {@link ClassifierGraphs} chooses: a generator reading classifier tensors
 * gets them from the classification pass itself, unless one of them needs a backward pass (then a
 * second, plain session classifies and scores masked images). When the plain graph is the file as
 * given, ONNX Runtime reads the file itself rather than a serialized copy.
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
    ClassifierGraphs graphs = ClassifierGraphs.of(graph, features);
    OrtSession plain = null;
    OrtSession tapped = null;
    try {
      if (graphs.plain().isPresent()) {
        plain = graphs.plainUnchanged()
            ? sessions.open(classifierFile) : sessions.open(graphs.plain().get().toByteArray());
      }
      if (graphs.tapped().isPresent()) {
        tapped = sessions.open(graphs.tapped().get().toByteArray());
      }
    } catch (OrtException | RuntimeException e) {
      closeQuietly(plain);
      closeQuietly(tapped);
      throw e;
    }
    return plain != null
        ? new ClassifierSessions(plain, tapped == null ? plain : tapped, graphs.padsFolded())
        : new ClassifierSessions(tapped, tapped, graphs.padsFolded());
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
