/** The reinforce objective: policy-gradient training of a generator against a frozen ONNX classifier, evaluation (pointing game, IoU, keep fraction) and checkpoints. */
package io.maskserve.trainer.reinforce;
