package io.maskserve.deploy.spark;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this JVM, one {@link ExecutorModel} per {@link ModelRef}, created on first use
 * and closed when the JVM exits.
 *
 * <p>Why a per-JVM holder: Spark deserialises a task's function afresh for every task (partition),
 * so a model held by the function would be loaded again for each partition (sessions opened, graph
 * optimised: ~100 ms and the model's memory each time, and once per concurrent task). An executor
 * is a long-lived JVM running many tasks concurrently as threads; the only thing those tasks share is
 * the JVM itself, i.e. class state. ONNX Runtime sessions are thread-safe, so one session per model
 * per executor serves all of its cores. Keyed by the model reference so that two jobs in one JVM
 * (the benchmark, tests, a notebook) with different models or zoos do not get each other's model;
 * the holder knows nothing else, and the explanation code stays the server's.
 */
public final class ExecutorModels {

  private static final Logger log = LoggerFactory.getLogger(ExecutorModels.class);

  private static final ConcurrentHashMap<ModelRef, ExecutorModel> LOADED = new ConcurrentHashMap<>();

  static {
    // Executors end by JVM exit; this closes the sessions (native memory, file handles) cleanly then.
    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "maskserve-models-close"));
  }

  private ExecutorModels() {}

  /**
   * The model for {@code ref}, loaded by the first task that asks (concurrent first callers wait for
   * that one load).
   *
   * @throws io.maskserve.zoo.ZooException when it cannot be loaded (the task fails: a wrong zoo or
   *     model name is a job error, not a bad image)
   */
  public static ExecutorModel get(ModelRef ref) {
    return LOADED.computeIfAbsent(ref, r -> {
      long t0 = System.nanoTime();
      ExecutorModel m = ExecutorModel.open(r);
      log.info("loaded {} in this JVM in {} ms", r, (System.nanoTime() - t0) / 1_000_000);
      return m;
    });
  }

  /** Closes and forgets every model of this JVM (JVM exit; tests that want a fresh load). */
  public static void closeAll() {
    for (ModelRef ref : LOADED.keySet()) {
      ExecutorModel m = LOADED.remove(ref);
      if (m != null) {
        try {
          m.close();
        } catch (RuntimeException e) {
          log.warn("closing {} failed: {}", ref, e.toString());
        }
      }
    }
  }
}
