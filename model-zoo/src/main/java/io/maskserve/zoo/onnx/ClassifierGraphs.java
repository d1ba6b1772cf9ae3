package io.maskserve.zoo.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.autodiff.GradientTap;
import io.maskserve.zoo.optimize.PadFolding;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The graphs a classifier runs as when a generator reads {@code taps} of it: the server's and the
 * trainer's sessions are opened on these.
 *
 * <p>The {@code tapped} graph exposes the taps as extra outputs ({@link FeatureTaps}), so one pass
 * classifies and yields them. The {@code plain} graph (the classifier's own outputs) is needed when
 * there are no taps, or when a tap needs a backward pass ({@link GradientTap}): masked images are
 * then scored without it. Both have their zero Pads folded into their convolutions ({@link
 * PadFolding}: the same logits, faster).
 *
 * @param plain the plain graph, when needed
 * @param tapped the tapped graph, when there are taps
 * @param plainUnchanged whether the plain graph is the classifier as given (nothing folded), so a
 *     caller may open the file itself instead of a serialized copy
 * @param padsFolded how many Pad nodes were folded (in the graph that folded more)
 */
public record ClassifierGraphs(Optional<ModelProto> plain, Optional<ModelProto> tapped, boolean plainUnchanged,
    int padsFolded) {

  /** Validates. */
  public ClassifierGraphs {
    Objects.requireNonNull(plain, "plain");
    Objects.requireNonNull(tapped, "tapped");
  }

  /**
   * The graphs of {@code classifier} for a generator reading {@code taps}.
   *
   * @throws IllegalArgumentException as {@link FeatureTaps#withOutputs(ModelProto, List)}
   */
  public static ClassifierGraphs of(ModelProto classifier, List<String> taps) {
    Objects.requireNonNull(classifier, "classifier");
    Optional<ModelProto> plain = Optional.empty();
    Optional<ModelProto> tapped = Optional.empty();
    boolean unchanged = false;
    int folded = 0;
    if (taps.isEmpty() || GradientTap.anyIn(taps)) {
      PadFolding.Folded f = PadFolding.fold(classifier, List.of());
      plain = Optional.of(f.model());
      unchanged = f.folded() == 0;
      folded = f.folded();
    }
    if (!taps.isEmpty()) {
      PadFolding.Folded f = PadFolding.fold(FeatureTaps.withOutputs(classifier, taps), List.of());
      tapped = Optional.of(f.model());
      folded = Math.max(folded, f.folded());
    }
    return new ClassifierGraphs(plain, tapped, unchanged, folded);
  }
}
