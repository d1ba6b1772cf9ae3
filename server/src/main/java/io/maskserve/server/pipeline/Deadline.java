package io.maskserve.server.pipeline;

import java.time.Duration;

/**
 * A point in {@link System#nanoTime()} time by which work must finish. The pipeline checks it
 * between stages, so a request that cannot finish in time stops early instead of wasting inference.
 *
 * @param nanoTime the {@code System.nanoTime()} value at which the deadline passes
 */
public record Deadline(long nanoTime) {

  /** The deadline {@code timeout} from now. */
  public static Deadline after(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos());
  }

  /** Whether the deadline has passed. */
  public boolean expired() {
    return System.nanoTime() - nanoTime >= 0;
  }

  /** Time left, negative once expired. */
  public Duration remaining() {
    return Duration.ofNanos(nanoTime - System.nanoTime());
  }

  /** Throws DEADLINE_EXCEEDED naming {@code stage} if the deadline has passed. */
  public void check(String stage) {
    if (expired()) {
      throw new ExplainException(
          ExplainException.Reason.DEADLINE_EXCEEDED, "deadline exceeded before " + stage);
    }
  }
}
