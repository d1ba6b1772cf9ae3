package io.maskserve.server.registry;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.ZooException.Reason;
import io.maskserve.zoo.ZooStore;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import io.maskserve.zoo.autodiff.ConvLayerFinder;
import io.maskserve.zoo.autodiff.UnsupportedOpException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classifier's backward-pass models, for the gradient-based attribution methods, opened on
 * first use and closed with their {@link LoadedModel}:
 *
 * <ul>
 *   <li>the <b>input-gradient model</b> (inputs: the image and int64 {@code target [N]}; outputs:
 *       the logits and {@code input_grad}, d logit[target] / d input): in a zoo, the cached
 *       augmented file of {@link ZooStore#gradientModel};
 *   <li>one <b>layer model</b> per Grad-CAM layer {@code L}, built in memory with {@link
 *       Autodiff#augment} and {@code withLayers(L)} (extra outputs {@code L} and {@code L_grad});
 *   <li>the classifier's feature maps ({@link ConvLayerFinder}), for choosing and checking layers.
 * </ul>
 *
 * <p>Everything is lazy because most requests use the generator: a loaded model pays for gradient
 * sessions only once a gradient method asks. Layer models are cached for the life of the loaded
 * model, at most {@value #MAX_CACHED_LAYERS} of them: a client naming ever new layers gets a
 * session per call beyond that (closed after the call) rather than growing memory without bound.
 * Thread-safe.
 */
public final class GradientModels implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GradientModels.class);

  /** Most layer models kept open per loaded model. */
  public static final int MAX_CACHED_LAYERS = 4;

  /** Opens the input-gradient model's session. */
  @FunctionalInterface
  interface SessionSource {
    OrtSession open() throws OrtException;
  }

  /** Reads the classifier graph. */
  @FunctionalInterface
  interface GraphSource {
    ModelProto read() throws IOException;
  }

  /**
   * A layer model for one call. Close it after the call: that closes a session that is not
   * cached and does nothing for a cached one.
   */
  public static final class LayerModel implements AutoCloseable {
    private final OnnxModel model;
    private final boolean owned;

    LayerModel(OnnxModel model, boolean owned) {
      this.model = model;
      this.owned = owned;
    }

    /** The model: the classifier's inputs plus {@code target}; outputs include {@code L}, {@code L_grad}. */
    public OnnxModel model() {
      return model;
    }

    @Override
    public void close() {
      if (owned) {
        closeQuietly(model);
      }
    }
  }

  private final String what;
  private final SessionFactory sessions;
  private final SessionSource inputGradientSource;
  private final GraphSource graphSource;

  private final Object inputLock = new Object();
  private final Object graphLock = new Object();
  private final Object layerLock = new Object();
  // Guarded by inputLock.
  private OnnxModel inputGradient;
  // Guarded by graphLock.
  private ModelProto graph;
  private ConvLayerFinder layers;
  // Guarded by layerLock.
  private final Map<String, OnnxModel> layerModels = new LinkedHashMap<>();
  private volatile boolean closed;

  GradientModels(String what, SessionFactory sessions, SessionSource inputGradient, GraphSource graph) {
    this.what = Objects.requireNonNull(what, "what");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.inputGradientSource = Objects.requireNonNull(inputGradient, "inputGradient");
    this.graphSource = Objects.requireNonNull(graph, "graph");
  }

  /**
   * The gradient models of a zoo version: the input-gradient model is the zoo's cached file (built
   * by the store on first use), the classifier graph is read from the version's classifier file.
   */
  public static GradientModels forZoo(ModelManifest manifest, ZooStore store, SessionFactory sessions) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(store, "store");
    return new GradientModels(
        manifest.key().toString(),
        sessions,
        () -> sessions.open(store.gradientModel(manifest)),
        () -> {
          try (InputStream in = Files.newInputStream(store.localFile(manifest, manifest.classifier()))) {
            return ModelProto.parseFrom(in);
          }
        });
  }

  /**
   * The gradient models of a classifier given as bytes (tests, batch jobs): everything is built in
   * memory with {@link Autodiff}.
   */
  public static GradientModels inMemory(String name, byte[] classifierOnnx, SessionFactory sessions) {
    Objects.requireNonNull(classifierOnnx, "classifierOnnx");
    GraphSource graph = () -> ModelProto.parseFrom(classifierOnnx);
    return new GradientModels(
        name,
        sessions,
        () -> {
          ModelProto augmented;
          try {
            augmented = augment(name, graph.read(), AutodiffOptions.logit());
          } catch (IOException e) {
            throw new ZooException(Reason.INTERNAL, "cannot parse the classifier of " + name, e);
          }
          return sessions.open(augmented.toByteArray());
        },
        graph);
  }

  /**
   * The input-gradient model, opened on first use.
   *
   * @throws ZooException FAILED_PRECONDITION if the classifier cannot be differentiated (the
   *     message names the op and the node), NOT_FOUND if the version was deleted meanwhile
   */
  public OnnxModel inputGradient() {
    synchronized (inputLock) {
      requireOpen();
      if (inputGradient == null) {
        long t0 = System.nanoTime();
        inputGradient = open(inputGradientSource, "the input-gradient model");
        log.info("opened the input-gradient model of {} millis={}", what, (System.nanoTime() - t0) / 1_000_000);
      }
      return inputGradient;
    }
  }

  /** The classifier's feature maps and convolution layers, analysed on first use. */
  public ConvLayerFinder layers() {
    synchronized (graphLock) {
      requireOpen();
      if (layers == null) {
        layers = ConvLayerFinder.of(graph());
      }
      return layers;
    }
  }

  /**
   * The model with the activations and gradients of {@code layer}: cached (built on first use) while
   * fewer than {@value #MAX_CACHED_LAYERS} layers are, otherwise built for this call only.
   *
   * @param layer a tensor of the classifier graph (check it with {@link #layers()} first)
   * @throws ZooException FAILED_PRECONDITION if the classifier cannot be differentiated,
   *     INVALID_ARGUMENT if {@code layer} is not a tensor of the graph
   */
  public LayerModel layerGradient(String layer) {
    Objects.requireNonNull(layer, "layer");
    synchronized (layerLock) {
      requireOpen();
      OnnxModel cached = layerModels.get(layer);
      if (cached != null) {
        return new LayerModel(cached, false);
      }
      long t0 = System.nanoTime();
      ModelProto augmented = augment(what, graphCopy(), AutodiffOptions.logit().withLayers(List.of(layer)));
      OnnxModel model = open(() -> sessions.open(augmented.toByteArray()), "the gradient model of layer '" + layer + "'");
      log.info("built the gradient model of layer '{}' of {} millis={}", layer, what, (System.nanoTime() - t0) / 1_000_000);
      if (layerModels.size() >= MAX_CACHED_LAYERS) {
        return new LayerModel(model, true);
      }
      layerModels.put(layer, model);
      return new LayerModel(model, false);
    }
  }

  private ModelProto graphCopy() {
    synchronized (graphLock) {
      return graph();
    }
  }

  /** The classifier graph, read once; under graphLock. */
  private ModelProto graph() {
    if (graph == null) {
      try {
        graph = graphSource.read();
      } catch (IOException e) {
        throw new ZooException(Reason.INTERNAL, "cannot read the classifier of " + what + ": " + e.getMessage(), e);
      }
    }
    return graph;
  }

  /** Augments, turning autodiff's failures into statuses (the same wording as the zoo's). */
  private static ModelProto augment(String what, ModelProto classifier, AutodiffOptions options) {
    try {
      return Autodiff.augment(classifier, options);
    } catch (UnsupportedOpException e) {
      throw new ZooException(Reason.FAILED_PRECONDITION,
          "the classifier of " + what + " cannot be differentiated: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ZooException(Reason.INVALID_ARGUMENT,
          "cannot build the gradient model of " + what + ": " + e.getMessage(), e);
    }
  }

  private OnnxModel open(SessionSource source, String which) {
    OrtSession session;
    try {
      session = source.open();
    } catch (OrtException e) {
      throw new ZooException(Reason.INTERNAL, "cannot open " + which + " of " + what + ": " + e.getMessage(), e);
    }
    return new OnnxModel(sessions.environment(), session);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the gradient models of " + what + " are closed");
    }
  }

  /** Closes every open session; later calls fail. */
  @Override
  public void close() {
    closed = true;
    List<OnnxModel> open = new ArrayList<>();
    synchronized (inputLock) {
      if (inputGradient != null) {
        open.add(inputGradient);
        inputGradient = null;
      }
    }
    synchronized (layerLock) {
      open.addAll(layerModels.values());
      layerModels.clear();
    }
    synchronized (graphLock) {
      graph = null;
      layers = null;
    }
    open.forEach(GradientModels::closeQuietly);
  }

  private static void closeQuietly(OnnxModel model) {
    try {
      model.close();
    } catch (OrtException | RuntimeException e) {
      log.warn("closing a gradient session failed: {}", e.toString());
    }
  }
}
