package io.maskserve.trainer.model;

import ai.djl.engine.Engine;

/**
 * Access to DJL's PyTorch engine, always offline: libtorch comes from the {@code
 * pytorch-native-cpu} jar on the classpath (extracted to DJL's cache on first use), never from a
 * download.
 */
public final class Djl {

  private Djl() {}

  /**
   * Returns the PyTorch engine, first forcing DJL into offline mode unless the caller already
   * chose. Setting the properties here, before the first engine lookup, is what keeps DJL from
   * reaching for the network when the native jar is missing: it fails instead.
   */
  public static Engine engine() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
      System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
    }
    // On a machine without a GPU DJL warns on every start that CUDA detection failed; that is
    // the expected state for this CPU-only trainer, so keep it out of the command output.
    String cuda = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";
    if (System.getProperty(cuda) == null) {
      System.setProperty(cuda, "error");
    }
    return Engine.getEngine("PyTorch");
  }
}
