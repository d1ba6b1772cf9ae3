package io.maskserve.server.pipeline;

import java.util.List;

/**
 * Explains several queries for the same model and requested version together, merging their
 * inference into shared ONNX Runtime calls; {@link ExplanationPipeline#explainBatch} is one.
 */
@FunctionalInterface
public interface BatchExplainer {

  /**
   * Explains {@code queries}, all asking for {@code model} at {@code version} (empty = latest).
   * Never throws for a single query's failure: each query gets its own {@link Outcome}, in order.
   */
  List<Outcome> explainBatch(String model, String version, List<ExplainQuery> queries);
}
