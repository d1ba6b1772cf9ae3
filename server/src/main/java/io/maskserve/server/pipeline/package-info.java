/**
 * The explanation pipeline: image → classifier → generator → masks → batched scoring → overlay,
 * in plain records with no protocol types, so that batch jobs and benchmarks can call it directly.
 */
package io.maskserve.server.pipeline;
