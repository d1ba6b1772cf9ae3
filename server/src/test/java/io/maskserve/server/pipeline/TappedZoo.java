package io.maskserve.server.pipeline;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.Device;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.onnx.FeatureTaps;
import io.maskserve.zoo.preprocess.Preprocessor;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * For tests of generators that read classifier tensors: a zoo holding ResNet-20 (version 1) and
 * such a generator, served by an {@link ExplanationPipeline}, beside direct ONNX Runtime sessions of
 * the plain classifier, the classifier with the tensors exposed, and the generator, which the
 * pipeline's answers are checked against.
 */
final class TappedZoo implements AutoCloseable {

  final OrtEnvironment env = OrtEnvironment.getEnvironment();
  final FileSystemZooStore store;
  final ModelRegistry registry;
  final ExplanationPipeline pipeline;
  final OrtSession classifier;
  final OrtSession tapped;
  final OrtSession generator;

  /**
   * @param zoo an empty directory
   * @param generatorOnnx the generator, registered with threshold 0.5
   * @param taps the classifier tensors it reads
   */
  TappedZoo(Path zoo, byte[] generatorOnnx, List<String> taps) throws Exception {
    TestData.populate(zoo, "1", generatorOnnx, "tapped generator");
    store = FileSystemZooStore.open(zoo, new OnnxModelValidator(env));
    registry = new ModelRegistry(store, new SessionFactory(env, Device.CPU, 1, 1));
    pipeline = new ExplanationPipeline(
        registry, new MaskSampler(), new OverlayRenderer(), ServerLimits.builder().maxSamples(16).build());
    byte[] plain = Files.readAllBytes(TestData.resnetOnnx());
    classifier = env.createSession(plain);
    tapped = env.createSession(FeatureTaps.withOutputs(ModelProto.parseFrom(plain), taps).toByteArray());
    generator = env.createSession(generatorOnnx);
  }

  /** The preprocessed tensor {@code [3,32,32]} of a JPEG. */
  static float[] tensor(byte[] jpeg) {
    try {
      return new Preprocessor(TestData.CIFAR_INPUT).toTensor(javax.imageio.ImageIO.read(new ByteArrayInputStream(jpeg)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The classifier tensor {@code name} for one preprocessed image. */
  float[] classifierTensor(float[] x, String name) throws OrtException {
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, 32, 32});
        OrtSession.Result r = tapped.run(Map.of("input", t))) {
      FloatBuffer fb = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }

  /** The plain classifier's logits for one preprocessed image. */
  float[] logits(float[] x) throws OrtException {
    return TestData.runFirstOutput(env, classifier, x, 1, 3, 32, 32);
  }

  /** p(target) of the plain classifier on {@code x} with the pixels {@code res}'s mask drops set to 0. */
  float maskedProbability(float[] x, ExplanationResult res) throws OrtException {
    float[] masked = x.clone();
    for (int i = 0; i < 1024; i++) {
      if (!res.mask().mask().kept(i)) {
        masked[i] = masked[1024 + i] = masked[2048 + i] = 0f;
      }
    }
    return TestData.softmaxAt(logits(masked), res.targetClass());
  }

  /** Index of the largest value. */
  static int argMax(float[] z) {
    int k = 0;
    for (int i = 1; i < z.length; i++) {
      k = z[i] > z[k] ? i : k;
    }
    return k;
  }

  @Override
  public void close() throws Exception {
    registry.close();
    classifier.close();
    tapped.close();
    generator.close();
  }
}
