package io.maskserve.cli.evaluate;

/**
 * A problem with what the evaluation was given (model, data, classifier file) whose message is
 * the one line the user should read. An {@link IllegalArgumentException}, so the CLI prints just
 * the message.
 */
public final class EvaluateException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  EvaluateException(String message) {
    super(message);
  }

  EvaluateException(String message, Throwable cause) {
    super(message, cause);
  }
}
