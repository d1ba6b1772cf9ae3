package io.maskserve.server.pipeline;

/** Something that explains a query synchronously; {@link ExplanationPipeline#explain} is one. */
@FunctionalInterface
public interface Explainer {

  /** Explains {@code query} on the calling thread. */
  ExplanationResult explain(ExplainQuery query);
}
