package io.maskserve.deploy.spark;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.server.overlay.OverlayRenderer;
import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.ExplanationPipeline;
import io.maskserve.server.pipeline.Outcome;
import io.maskserve.server.registry.LoadedModel;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.server.sampling.MaskSampler;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.nio.file.Path;
import java.util.List;

/**
 * One zoo model loaded in this JVM exactly as the server loads it ({@link ModelRegistry} over a
 * {@link FileSystemZooStore}, sessions from a {@link SessionFactory}), with the server's {@link
 * ExplanationPipeline}. The model stays leased until {@link #close()}, so its ONNX Runtime sessions
 * stay open for every task of the JVM. Thread-safe: concurrent tasks share the sessions.
 */
public final class ExecutorModel implements AutoCloseable {

  private final ModelRef ref;
  private final ModelRegistry registry;
  private final ModelRegistry.Lease lease;
  private final ExplanationPipeline pipeline;

  private ExecutorModel(ModelRef ref, ModelRegistry registry, ModelRegistry.Lease lease) {
    this.ref = ref;
    this.registry = registry;
    this.lease = lease;
    // Server defaults for the limits: the same images are accepted or refused as by a default server.
    this.pipeline = new ExplanationPipeline(registry, new MaskSampler(), new OverlayRenderer(), ServerLimits.defaults());
  }

  /**
   * Opens the zoo and loads {@code ref}'s classifier and generator.
   *
   * @throws io.maskserve.zoo.ZooException when the model cannot be resolved or loaded
   */
  public static ExecutorModel open(ModelRef ref) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    SessionFactory sessions = new SessionFactory(env, ref.device(), ref.intraOpThreads(), 1);
    ModelRegistry registry = new ModelRegistry(
        FileSystemZooStore.open(Path.of(ref.zoo()), new OnnxModelValidator(env)), sessions);
    try {
      return new ExecutorModel(ref, registry, registry.acquire(ref.model(), ref.version()));
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /** The model this JVM explains with. */
  public LoadedModel model() {
    return lease.model();
  }

  /** What was asked for. */
  public ModelRef ref() {
    return ref;
  }

  /**
   * Explains {@code queries} together ({@link ExplanationPipeline#explainBatch(LoadedModel, List)}):
   * shared inference calls, one outcome per query in order, a bad image failing its query only.
   */
  public List<Outcome> explainBatch(List<ExplainQuery> queries) {
    return pipeline.explainBatch(lease.model(), queries);
  }

  /** Releases the model (its sessions close) and the registry. */
  @Override
  public void close() {
    lease.close();
    registry.close();
  }
}
