/**
 * Scheduling of explanations onto inference workers, separate from the protocol layer: a bounded
 * per-model queue, and dynamic batching of concurrent requests into shared inference calls.
 */
package io.maskserve.server.batching;
