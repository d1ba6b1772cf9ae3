/**
 * Faithfulness and localisation metrics of saliency maps and masks, each with its reference
 * semantics written down: deletion and insertion AUC (RISE, {@link
 * io.maskserve.trainer.metrics.DeletionInsertion}), the pointing game (TorchRay, {@link
 * io.maskserve.trainer.metrics.PointingGame}), localisation error (CASME, {@link
 * io.maskserve.trainer.metrics.LocalisationError}), Dabkowski &amp; Gal's saliency metric ({@link
 * io.maskserve.trainer.metrics.SaliencyMetric}), the mask-encoding check ({@link
 * io.maskserve.trainer.metrics.EncodingCheck}) and percentile bootstrap intervals ({@link
 * io.maskserve.trainer.metrics.Bootstrap}).
 */
package io.maskserve.trainer.metrics;
