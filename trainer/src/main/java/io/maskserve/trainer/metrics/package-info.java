/** Faithfulness metrics of saliency maps, with the reference semantics written down per metric. */
package io.maskserve.trainer.metrics;
