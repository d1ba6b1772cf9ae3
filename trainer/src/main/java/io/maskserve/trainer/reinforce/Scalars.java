package io.maskserve.trainer.reinforce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Scalar arithmetic on arrays of an autograd graph, with the scalar held by a manager until the
 * backward pass has run.
 *
 * <p>Why not {@code x.mul(2f)}: DJL's PyTorch engine implements {@code mul(Number)} (and {@code
 * div}, {@code pow}, {@code maximum}...) by wrapping the number in a temporary array, a tensor over
 * a direct buffer, and closes it before returning. PyTorch's autograd graph keeps that tensor for
 * the backward pass ({@code d(x·c)/dx = c}) but not its memory: the buffer is freed by the JVM's
 * next garbage collection, and a collection between building a loss and calling backward fed the
 * backward whatever reused that memory. Measured: gradients of 1e22–1e34 in almost every step
 * once a collection was forced there, and corrupted steps every few dozen steps in training runs
 * that allocate enough to collect mid-step. Arrays created here belong to the step's manager,
 * which outlives the backward pass. ({@code add}/{@code sub} of a number are safe: their backward
 * does not read it.)
 */
final class Scalars {

  private Scalars() {}

  /** {@code x · c}, {@code c} held by {@code manager}. */
  static NDArray times(NDArray x, float c, NDManager manager) {
    return x.mul(manager.create(c));
  }

  /** {@code x / c}, {@code c} held by {@code manager}. */
  static NDArray over(NDArray x, float c, NDManager manager) {
    return x.div(manager.create(c));
  }
}
