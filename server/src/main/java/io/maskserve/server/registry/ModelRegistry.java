package io.maskserve.server.registry;

import java.nio.file.Path;
import io.maskserve.server.runtime.OnnxModel;
import io.maskserve.server.runtime.SessionFactory;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelNames;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.ZooStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves (name, version or latest) to a {@link LoadedModel} with open sessions.
 *
 * <p>The registry keeps an immutable snapshot of the zoo's manifests, replaced (never mutated)
 * by {@link #refresh()}: after every register/delete through this server, and periodically so that
 * changes other processes make to the same zoo directory are seen. Readers only read the volatile
 * snapshot, so they never wait for a refresh or a registration.
 *
 * <p>Loaded models are cached by (name, version, classifier sha256, generator sha256), so a
 * version whose files were replaced is loaded afresh. A refresh evicts versions that are no longer
 * published; their sessions close when the last in-flight call releases its {@link Lease}.
 */
public final class ModelRegistry implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

  /** Identifies the exact files a model was loaded from. */
  record CacheKey(String name, String version, String classifierSha, String generatorSha) {
    static CacheKey of(ModelManifest m) {
      return new CacheKey(
          m.name(),
          m.version(),
          m.classifier().sha256(),
          m.generator().map(g -> g.artifact().sha256()).orElse(""));
    }
  }

  /** The published manifests at one moment, grouped by name, versions oldest first. */
  private record Snapshot(Map<String, List<ModelManifest>> byName, Set<CacheKey> keys) {
    static Snapshot of(List<ModelManifest> manifests) {
      Map<String, List<ModelManifest>> byName = new LinkedHashMap<>();
      for (ModelManifest m : manifests) {
        byName.computeIfAbsent(m.name(), n -> new ArrayList<>()).add(m);
      }
      byName.replaceAll((n, l) -> {
        l.sort((a, b) -> ModelNames.VERSION_ORDER.compare(a.version(), b.version()));
        return List.copyOf(l);
      });
      return new Snapshot(
          Map.copyOf(byName), manifests.stream().map(CacheKey::of).collect(Collectors.toUnmodifiableSet()));
    }
  }

  /** A reference to a loaded model held for the length of one call. Close it exactly once. */
  public static final class Lease implements AutoCloseable {
    private final LoadedModel model;
    private boolean closed;

    Lease(LoadedModel model) {
      this.model = model;
    }

    /** The model; valid until {@link #close()}. */
    public LoadedModel model() {
      return model;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        model.release();
      }
    }
  }

  private final ZooStore store;
  private final SessionFactory sessions;
  private final ConcurrentHashMap<CacheKey, CompletableFuture<LoadedModel>> cache = new ConcurrentHashMap<>();
  private final Object refreshLock = new Object();
  private volatile Snapshot snapshot = Snapshot.of(List.of());
  private volatile boolean closed;
  private ScheduledFuture<?> refreshTask;

  /** Creates a registry over {@code store} and reads the store once. */
  public ModelRegistry(ZooStore store, SessionFactory sessions) {
    this.store = Objects.requireNonNull(store, "store");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    refresh();
  }

  /** The zoo this registry reads. */
  public ZooStore store() {
    return store;
  }

  /** Refreshes every {@code interval} on {@code scheduler} until {@link #close()}. */
  public synchronized void startRefreshing(ScheduledExecutorService scheduler, Duration interval) {
    if (refreshTask != null) {
      throw new IllegalStateException("already refreshing");
    }
    long ms = Math.max(1, interval.toMillis());
    refreshTask = scheduler.scheduleWithFixedDelay(this::refreshQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // A transient listing failure must not stop the periodic refresh.
      log.warn("zoo refresh failed: {}", e.toString());
    }
  }

  /**
   * Re-reads the store's manifests and evicts loaded models that are no longer published exactly
   * as loaded. Cheap when nothing changed; serialised so two refreshes never interleave evictions.
   */
  public void refresh() {
    synchronized (refreshLock) {
      Snapshot next = Snapshot.of(store.list());
      snapshot = next;
      for (Map.Entry<CacheKey, CompletableFuture<LoadedModel>> e : cache.entrySet()) {
        if (!next.keys().contains(e.getKey())) {
          evict(e.getKey(), e.getValue());
        }
      }
    }
  }

  private void evict(CacheKey key, CompletableFuture<LoadedModel> future) {
    if (cache.remove(key, future)) {
      log.info("model unloaded name={} version={}", key.name(), key.version());
      future.thenAccept(LoadedModel::release);
    }
  }

  /** The published manifests as of the last refresh, sorted by name then version. */
  public List<ModelManifest> manifests() {
    return snapshot.byName().values().stream()
        .flatMap(List::stream)
        .sorted((a, b) -> {
          int c = a.name().compareTo(b.name());
          return c != 0 ? c : ModelNames.VERSION_ORDER.compare(a.version(), b.version());
        })
        .toList();
  }

  /**
   * Resolves the version to explain with: {@code version} if non-empty, else the newest version
   * that has a generator.
   *
   * @throws ZooException NOT_FOUND naming the available models or versions; FAILED_PRECONDITION
   *     when the version (or every version) lacks a generator; INVALID_ARGUMENT for bad names
   */
  public ModelManifest resolve(String name, String version) {
    if (name == null || name.isEmpty()) {
      throw new ZooException(ZooException.Reason.INVALID_ARGUMENT, "model is required");
    }
    ModelNames.requireValidName(name);
    boolean latest = version == null || version.isEmpty();
    if (!latest) {
      ModelNames.requireValidVersion(version);
    }
    List<ModelManifest> versions = snapshot.byName().getOrDefault(name, List.of());
    Optional<ModelManifest> found;
    if (latest) {
      found = newestWithGenerator(versions);
      if (found.isEmpty()) {
        // Registered by another process since the last refresh?
        found = store.latest(name, true);
      }
    } else {
      found = versions.stream().filter(m -> m.version().equals(version)).findFirst();
      if (found.isEmpty()) {
        found = store.get(new ModelKey(name, version));
      }
    }
    if (found.isEmpty()) {
      if (versions.isEmpty() && store.latest(name, false).isEmpty()) {
        throw new ZooException(
            ZooException.Reason.NOT_FOUND, "model '" + name + "' not found; available models: " + available());
      }
      if (latest) {
        throw noGenerator("model '" + name + "' has no version with a generator");
      }
      throw new ZooException(
          ZooException.Reason.NOT_FOUND,
          "model '" + name + "' has no version '" + version + "'; available versions: "
              + versions.stream().map(ModelManifest::version).collect(Collectors.joining(", ")));
    }
    ModelManifest m = found.get();
    if (m.generator().isEmpty()) {
      throw noGenerator("model " + m.key() + " has no generator");
    }
    return m;
  }

  private static ZooException noGenerator(String what) {
    return new ZooException(
        ZooException.Reason.FAILED_PRECONDITION,
        what + "; register one with ModelZooService.RegisterGenerator before explaining");
  }

  private static Optional<ModelManifest> newestWithGenerator(List<ModelManifest> versions) {
    for (int i = versions.size() - 1; i >= 0; i--) {
      if (versions.get(i).generator().isPresent()) {
        return Optional.of(versions.get(i));
      }
    }
    return Optional.empty();
  }

  private String available() {
    Set<String> names = snapshot.byName().keySet();
    return names.isEmpty() ? "(none)" : names.stream().sorted().collect(Collectors.joining(", "));
  }

  /**
   * Resolves like {@link #resolve} and returns a lease on the loaded model, loading its sessions on
   * first use. The caller must close the lease.
   */
  public Lease acquire(String name, String version) {
    if (closed) {
      throw new ZooException(ZooException.Reason.INTERNAL, "model registry is closed");
    }
    ModelManifest m = resolve(name, version);
    try {
      return acquire(m);
    } catch (ZooException e) {
      // The files may have been deleted by another process since the last refresh: look again once.
      refresh();
      return acquire(resolve(name, version));
    }
  }

  private Lease acquire(ModelManifest m) {
    CacheKey key = CacheKey.of(m);
    for (;;) {
      CompletableFuture<LoadedModel> future = cache.get(key);
      if (future == null) {
        CompletableFuture<LoadedModel> mine = new CompletableFuture<>();
        future = cache.putIfAbsent(key, mine);
        if (future == null) {
          future = mine;
          try {
            mine.complete(load(m));
          } catch (RuntimeException e) {
            mine.completeExceptionally(e);
          }
        }
      }
      LoadedModel model;
      try {
        model = future.join();
      } catch (CompletionException e) {
        cache.remove(key, future);
        throw e.getCause() instanceof ZooException z
            ? z
            : new ZooException(ZooException.Reason.INTERNAL, "loading " + m.key() + " failed", e.getCause());
      }
      if (model.tryRetain()) {
        return new Lease(model);
      }
      // Evicted and closed between lookup and retain: load it again.
      cache.remove(key, future);
      if (closed) {
        throw new ZooException(ZooException.Reason.INTERNAL, "model registry is closed");
      }
    }
  }

  private LoadedModel load(ModelManifest m) {
    long t0 = System.nanoTime();
    OnnxModel classifier = null;
    OnnxModel featureClassifier = null;
    OnnxModel generator = null;
    try {
      List<String> features = m.generator().orElseThrow().features();
      Path classifierFile = store.localFile(m, m.classifier());
      ClassifierSessions opened = ClassifierSessions.open(sessions, classifierFile, features);
      classifier = new OnnxModel(sessions.environment(), opened.classify());
      featureClassifier = opened.features() == opened.classify()
          ? classifier : new OnnxModel(sessions.environment(), opened.features());
      generator = new OnnxModel(
          sessions.environment(), sessions.open(store.localFile(m, m.generator().orElseThrow().artifact())));
      LoadedModel model = new LoadedModel(m, classifier, featureClassifier, generator,
          GradientModels.forZoo(m, store, sessions));
      log.info(
          "model loaded name={} version={} device={} classConditional={} features={} padsFolded={} millis={}",
          m.name(),
          m.version(),
          sessions.effectiveDevice(),
          model.classConditional(),
          features,
          opened.padsFolded(),
          (System.nanoTime() - t0) / 1_000_000);
      return model;
    } catch (ZooException e) {
      closeQuietly(classifier, featureClassifier, generator);
      throw e;
    } catch (Exception e) {
      closeQuietly(classifier, featureClassifier, generator);
      throw new ZooException(
          ZooException.Reason.INTERNAL, "could not load model " + m.key() + ": " + e.getMessage(), e);
    }
  }

  /** Closes each distinct non-null session once (the feature session may be the classifier's). */
  private static void closeQuietly(OnnxModel... models) {
    java.util.Set<OnnxModel> closed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (OnnxModel model : models) {
      if (model != null && closed.add(model)) {
        try {
          model.close();
        } catch (Exception ignored) {
          // best effort on a failure path
        }
      }
    }
  }

  /** Stops refreshing and drops the registry's references; in-flight leases stay valid. */
  @Override
  public synchronized void close() {
    closed = true;
    if (refreshTask != null) {
      refreshTask.cancel(false);
    }
    for (Map.Entry<CacheKey, CompletableFuture<LoadedModel>> e : cache.entrySet()) {
      evict(e.getKey(), e.getValue());
    }
  }
}
