package io.maskserve.server.pipeline;

/**
 * The outcome of one query of a batch: a result or the failure of that query alone.
 *
 * @param result the explanation, null on failure
 * @param error the failure, null on success
 */
public record Outcome(ExplanationResult result, RuntimeException error) {

  public Outcome {
    if ((result == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of result and error must be set");
    }
  }

  /** A success. */
  public static Outcome of(ExplanationResult result) {
    return new Outcome(result, null);
  }

  /** A failure of this query alone. */
  public static Outcome failed(RuntimeException error) {
    return new Outcome(null, error);
  }

  /** The result, or the failure thrown. */
  public ExplanationResult get() {
    if (error != null) {
      throw error;
    }
    return result;
  }
}
