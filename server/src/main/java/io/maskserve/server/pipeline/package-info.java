/**
 * The explanation pipeline: image → classifier → generator → masks → batched scoring → overlay,
 * in plain records with no protocol types, so that batch jobs and benchmarks can call it directly.
 * Queries for a baseline method ({@link io.maskserve.server.pipeline.ExplanationMethod}) take the
 * same stages with the generator replaced by an attribution method ({@code BaselineExplainer}).
 */
package io.maskserve.server.pipeline;
