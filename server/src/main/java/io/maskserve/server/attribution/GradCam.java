package io.maskserve.server.attribution;

import io.maskserve.server.attribution.AttributionException.Reason;
import io.maskserve.zoo.autodiff.ConvLayerFinder;
import java.util.List;
import java.util.Optional;

/**
 * Grad-CAM (Selvaraju et al. 2017) on a feature map {@code A [K,h,w]} of the classifier:
 * {@code w_k = (1/(h w)) sum_{i,j} d logit[target] / d A_k[i,j]}, {@code cam = ReLU(sum_k w_k
 * A_k)}, resized to the input with {@link Saliency#bilinear} (half-pixel centres). Units: logit
 * units of the layer's contribution, {@code >= 0}.
 *
 * <p>The layer is the one named, which must be a 4-D node output of the graph, or else the output
 * of the last {@code Conv} node with a spatial map larger than 1x1 ({@link
 * ConvLayerFinder#lastConv()}). One gradient call on a model augmented for that layer.
 */
public final class GradCam implements SaliencyMethod {

  /** How many candidate layers an error about an unknown layer lists. */
  static final int SUGGESTIONS = 5;

  private final Optional<String> layer;

  /** @param layer the feature map to use; empty for the last convolution */
  public GradCam(Optional<String> layer) {
    this.layer = layer == null ? Optional.empty() : layer;
  }

  /**
   * The layer this method uses on the runner's model.
   *
   * @throws AttributionException INVALID_ARGUMENT naming candidates if the named layer is not a
   *     4-D feature map; FAILED_PRECONDITION if none was named and the graph has no convolution
   */
  public String resolveLayer(AttributionRunner runner) {
    ConvLayerFinder layers = runner.layers();
    if (layer.isEmpty()) {
      return layers.lastConv().orElseThrow(() -> new AttributionException(Reason.FAILED_PRECONDITION,
          "the classifier has no Conv layer with a spatial output larger than 1x1 for Grad-CAM; name a 4-D "
              + "feature map in method_options.gradcam_layer"));
    }
    String name = layer.get();
    if (!layers.isFeatureMap(name)) {
      List<String> candidates = layers.suggestions(SUGGESTIONS);
      throw new AttributionException(Reason.INVALID_ARGUMENT,
          "method_options.gradcam_layer '" + name + "' is not a 4-D [N,K,h,w] tensor of the classifier graph; "
              + (candidates.isEmpty() ? "the graph has no Conv layer" : "candidates (last Conv outputs first): "
                  + String.join(", ", candidates)));
    }
    return name;
  }

  @Override
  public float[] saliency(AttributionRunner runner, float[] image, int target) {
    String name = resolveLayer(runner);
    runner.check("Grad-CAM");
    AttributionRunner.LayerGradients lg = runner.layerGradients(image, target, name);
    int k = lg.channels();
    int cells = lg.height() * lg.width();
    float[] a = lg.activations();
    float[] g = lg.gradients();
    double[] cam = new double[cells];
    for (int c = 0; c < k; c++) {
      double w = 0;
      for (int i = 0; i < cells; i++) {
        w += g[c * cells + i];
      }
      w /= cells;
      for (int i = 0; i < cells; i++) {
        cam[i] += w * a[c * cells + i];
      }
    }
    float[] relu = new float[cells];
    for (int i = 0; i < cells; i++) {
      relu[i] = (float) Math.max(0.0, cam[i]);
    }
    return Saliency.bilinear(relu, lg.height(), lg.width(), runner.height(), runner.width());
  }
}
