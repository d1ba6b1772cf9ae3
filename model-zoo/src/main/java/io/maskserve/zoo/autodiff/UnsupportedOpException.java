package io.maskserve.zoo.autodiff;

/** The model uses an op (or an op configuration) on the input's gradient path that autodiff cannot differentiate. */
public final class UnsupportedOpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String opType;
  private final String nodeName;

  public UnsupportedOpException(String opType, String nodeName, String detail) {
    super("cannot differentiate op " + opType + " (node '" + nodeName + "')" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.opType = opType;
    this.nodeName = nodeName;
  }

  /** The ONNX op type, e.g. {@code Resize}. */
  public String opType() {
    return opType;
  }

  /** The node's name (or its first output when the node has no name). */
  public String nodeName() {
    return nodeName;
  }
}
