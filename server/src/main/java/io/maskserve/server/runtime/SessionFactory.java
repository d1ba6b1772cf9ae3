package io.maskserve.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions with the server's device and thread settings. One factory (and
 * one {@link OrtEnvironment}) serves every model.
 *
 * <p>When CUDA is requested but the execution provider cannot be added (a CPU-only ONNX Runtime
 * build, no driver, no GPU), the factory logs one WARN and uses the CPU from then on: a server
 * that was asked for a GPU it does not have should still serve, slower, rather than refuse.
 */
public final class SessionFactory {

  private static final Logger log = LoggerFactory.getLogger(SessionFactory.class);

  private final OrtEnvironment env;
  private final Device requested;
  private final int intraOpThreads;
  private final int interOpThreads;
  // Once CUDA failed there is no point trying (and warning) again for every model.
  private final AtomicBoolean cudaFailed = new AtomicBoolean();

  /**
   * @param env the process's ONNX Runtime environment
   * @param device the requested device
   * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime choose
   * @param interOpThreads threads across operators; 0 lets ONNX Runtime choose
   */
  public SessionFactory(OrtEnvironment env, Device device, int intraOpThreads, int interOpThreads) {
    this.env = Objects.requireNonNull(env, "env");
    this.requested = Objects.requireNonNull(device, "device");
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0");
    }
    this.intraOpThreads = intraOpThreads;
    this.interOpThreads = interOpThreads;
  }

  /** The environment sessions are created in. */
  public OrtEnvironment environment() {
    return env;
  }

  /** The device sessions actually run on: CPU once a CUDA attempt has failed. */
  public Device effectiveDevice() {
    return requested == Device.CUDA && !cudaFailed.get() ? Device.CUDA : Device.CPU;
  }

  /** Opens a session on {@code onnx}. The caller closes it. */
  public OrtSession open(Path onnx) throws OrtException {
    Objects.requireNonNull(onnx, "onnx");
    return open((options) -> env.createSession(onnx.toString(), options));
  }

  /**
   * Opens a session on a serialized model held in memory (a graph derived from a zoo model, such as
   * a classifier augmented with the gradients of a layer). The caller closes it.
   */
  public OrtSession open(byte[] onnx) throws OrtException {
    Objects.requireNonNull(onnx, "onnx");
    return open((options) -> env.createSession(onnx, options));
  }

  /** How a session is created from options (a file or bytes). */
  @FunctionalInterface
  private interface Creator {
    OrtSession create(OrtSession.SessionOptions options) throws OrtException;
  }

  private OrtSession open(Creator creator) throws OrtException {
    if (requested == Device.CUDA && !cudaFailed.get()) {
      OrtSession.SessionOptions options = baseOptions();
      try {
        options.addCUDA(0);
        return creator.create(options);
      } catch (OrtException | UnsatisfiedLinkError | UnsupportedOperationException e) {
        if (cudaFailed.compareAndSet(false, true)) {
          log.warn("CUDA execution provider not available ({}); falling back to CPU", e.getMessage());
        }
      } finally {
        // Options are copied into the session at creation; closing them is safe either way.
        options.close();
      }
    }
    try (OrtSession.SessionOptions options = baseOptions()) {
      return creator.create(options);
    }
  }

  private OrtSession.SessionOptions baseOptions() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (intraOpThreads > 0) {
      options.setIntraOpNumThreads(intraOpThreads);
    }
    if (interOpThreads > 0) {
      options.setInterOpNumThreads(interOpThreads);
    }
    return options;
  }
}
