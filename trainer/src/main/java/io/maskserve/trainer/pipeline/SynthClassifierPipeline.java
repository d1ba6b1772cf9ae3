package io.maskserve.trainer.pipeline;

import ai.djl.Model;
import io.maskserve.trainer.data.ImageSets;
import io.maskserve.trainer.data.LabelledImages;
import io.maskserve.trainer.export.OnnxExporter;
import io.maskserve.trainer.model.ClassifierConfig;
import io.maskserve.trainer.model.ClassifierNet;
import io.maskserve.trainer.model.ClassifierTraining;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.synth.BackgroundMasking;
import io.maskserve.trainer.synth.SceneConfig;
import io.maskserve.trainer.synth.SceneGenerator;
import io.maskserve.trainer.synth.ShapeClass;
import io.maskserve.trainer.synth.SynthTask;
import io.maskserve.zoo.InputSpec;
import java.util.List;

/**
 * Makes the synthetic benchmark's classifier: draws class-balanced training and held-out scenes,
 * trains a {@link ClassifierNet} with DJL (with {@link BackgroundMasking}, so the target object is
 * the classifier's only evidence) and exports it to ONNX.
 *
 * <p>Training scenes are indices {@code [0, epochs*trainCount)} of the seed's scene stream (fresh scenes every epoch), held-out
 * scenes start at {@link #TEST_OFFSET}, so the two never overlap and an evaluation set written by
 * {@code synth} with another seed is unseen as well.
 */
public final class SynthClassifierPipeline {

  /** First scene index of the held-out set. */
  public static final long TEST_OFFSET = 1L << 40;

  /**
   * @param size scene side (divisible by 8)
   * @param trainCount training scenes
   * @param testCount held-out scenes
   * @param epochs training epochs
   * @param baseWidth channels of the first conv stage
   * @param seed seed of scenes, weights and shuffling
   */
  public record Options(int size, int trainCount, int testCount, int epochs, int baseWidth, long seed) {
    public Options {
      if (size % 8 != 0 || trainCount < 1 || testCount < 1 || epochs < 1 || baseWidth < 1) {
        throw new IllegalArgumentException("bad synthetic classifier options (size must be divisible by 8)");
      }
    }

    /**
     * Options that reach ≥ 95% held-out accuracy at 64×64 with background-masking augmentation
     * (measured 0.979 with 10 epochs, 0.912 with 6).
     */
    public static Options defaults(int size, long seed) {
      return new Options(size, 6000, 1000, 10, 16, seed);
    }
  }

  /**
   * The trained, exported classifier.
   *
   * @param onnx the ONNX model ({@code input [N,3,size,size] -> logits [N,C]})
   * @param labels class names in logit order
   * @param input its preprocessing
   * @param training accuracy and speed figures
   */
  public record Result(byte[] onnx, List<String> labels, InputSpec input, ClassifierTraining.Result training) {
    public Result {
      onnx = onnx.clone();
      labels = List.copyOf(labels);
    }

    @Override
    public byte[] onnx() {
      return onnx.clone();
    }
  }

  private SynthClassifierPipeline() {}

  /** Runs the pipeline. */
  public static Result run(Options options) {
    InputSpec spec = SynthTask.inputSpec(options.size());
    SceneGenerator scenes = new SceneGenerator(SceneConfig.ofSize(options.size()), options.seed());
    LabelledImages train = ImageSets.synthetic(scenes, 0, options.trainCount(), spec);
    LabelledImages test = ImageSets.synthetic(scenes, TEST_OFFSET, options.testCount(), spec);
    Djl.engine();
    try (Model model = Model.newInstance("synth-classifier", "PyTorch")) {
      ClassifierNet net = new ClassifierNet(new ClassifierConfig(ShapeClass.values().length, options.baseWidth(), 4));
      model.setBlock(net);
      // Fresh scenes every epoch: scene e*trainCount+i of the stream.
      BackgroundMasking augment = BackgroundMasking.defaults();
      ClassifierTraining.Result r = ClassifierTraining.train(model,
          e -> augment.apply(e == 0 ? train
              : ImageSets.synthetic(scenes, (long) e * options.trainCount(), options.trainCount(), spec),
              options.seed() * 31 + e),
          test,
          new ClassifierTraining.Config(options.epochs(), 32, 2e-3f, options.seed()));
      byte[] onnx = new OnnxExporter().classifier(net, options.size(), options.size());
      return new Result(onnx, ShapeClass.labels(), spec, r);
    }
  }
}
