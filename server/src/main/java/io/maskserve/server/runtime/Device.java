package io.maskserve.server.runtime;

import java.util.Locale;

/** Where ONNX Runtime executes the models. */
public enum Device {
  /** The default CPU execution provider. */
  CPU,
  /** The CUDA execution provider on GPU 0; falls back to CPU when it is not available. */
  CUDA;

  /** Parses {@code cpu} or {@code cuda}, case-insensitively. */
  public static Device parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device must be cpu or cuda, got '" + s + "'", e);
    }
  }
}
