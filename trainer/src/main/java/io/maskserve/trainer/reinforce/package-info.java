/**
 * Generator training: the trainer, its objectives ({@code reinforce} with its estimators, {@code rise}, {@code
 * paper}), the classifier and its input gradients in ONNX Runtime, evaluation on known object masks
 * (pointing game, IoU, keep fraction) and the exportable generator checkpoint.
 */
package io.maskserve.trainer.reinforce;
