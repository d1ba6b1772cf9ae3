package io.maskserve.bench;

import ai.onnxruntime.OrtEnvironment;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * End-to-end serving figures (issue 6, figures 3 and 4) against a running {@code maskserve serve}:
 * per model and client count, the raw batched ONNX Runtime floor ({@link RawThroughput}, for a
 * quarter of the level's time, right before it) and then closed-loop load ({@link LoadGenerator}):
 * throughput, p50/p99 latency, errors, throughput over the floor, the server's CPU time per request against the floor's CPU time per image (the
 * load generator shares the machine's cores, so it also prints how many cores it used itself),
 * and the server process's resident memory (at rest before any model is loaded,
 * after each model is loaded, and its peak under load), threads and open file descriptors.
 *
 * <p>Usage: {@code ServingMain --server HOST:PORT --pid PID --zoo DIR --model NAME=IMAGE_DIR...
 * [--clients 1,8,64] [--seconds 60] [--batch 16] [--workers N] [--intra-op-threads 1]}; the batch,
 * workers and threads describe the server's settings, for the floor to use the same.
 */
public final class ServingMain {

  private ServingMain() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    Map<String, List<String>> opts = parse(args);
    String server = one(opts, "--server", null);
    long pid = Long.parseLong(one(opts, "--pid", null));
    Path zoo = Path.of(one(opts, "--zoo", null));
    int[] clientLevels = Arrays.stream(one(opts, "--clients", "1,8,64").split(",")).mapToInt(Integer::parseInt).toArray();
    Duration level = Duration.ofSeconds(Long.parseLong(one(opts, "--seconds", "60")));
    Duration floorTime = level.dividedBy(4);
    int batch = Integer.parseInt(one(opts, "--batch", "16"));
    int workers = Integer.parseInt(one(opts, "--workers", Integer.toString(Runtime.getRuntime().availableProcessors())));
    int intra = Integer.parseInt(one(opts, "--intra-op-threads", "1"));
    List<String> models = opts.getOrDefault("--model", List.of());
    if (models.isEmpty()) {
      throw new IllegalArgumentException("give at least one --model NAME=IMAGE_DIR");
    }

    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      channels.add(NettyChannelBuilder.forTarget(server).usePlaintext().maxInboundMessageSize(64 << 20).build());
    }
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    ProcessStats atRest = ProcessStats.of(pid);
    System.out.printf(Locale.ROOT, "server at rest, no model loaded: RSS %.0f MiB, %d threads, %d fds%n",
        atRest.rssMib(), atRest.threads(), atRest.openFds());
    List<String> rows = new ArrayList<>();
    double previousRss = atRest.rssMib();
    for (String spec : models) {
      String[] kv = spec.split("=", 2);
      String model = kv[0];
      List<byte[]> images = BenchImages.load(Path.of(kv[1]), 256);
      LoadGenerator load = new LoadGenerator(channels, model, images, Duration.ofSeconds(60));
      LoadGenerator.Result warm = load.run(8, Duration.ofSeconds(5));
      if (warm.ok() == 0) {
        throw new IllegalStateException("warm-up of " + model + " failed: " + warm.errors());
      }
      ProcessStats loaded = ProcessStats.of(pid);
      System.out.printf(Locale.ROOT, "%s loaded (after warm-up): RSS %.0f MiB (+%.0f MiB), %d threads, %d fds%n", model,
          loaded.rssMib(), loaded.rssMib() - previousRss, loaded.threads(), loaded.openFds());
      previousRss = loaded.rssMib();
      for (int clients : clientLevels) {
        // The floor is measured right before each level, so that each ratio compares figures taken
        // minutes apart at most on this shared machine.
        long rawCpu0 = ownCpuNanos();
        long rawT0 = System.nanoTime();
        double raw = RawThroughput.imagesPerSecond(store, model, images, batch, workers, intra, floorTime);
        // CPU per image of the floor (preprocessing of its batches before the timed part included: small).
        double rawCpuMs = (ownCpuNanos() - rawCpu0) / 1e6 / (raw * (System.nanoTime() - rawT0) / 1e9);
        System.out.printf(Locale.ROOT, "%s: raw batched ORT floor (classifier + generator + masked classifier, batch %d,"
            + " %d threads) %.0f img/s, %.2f CPU ms per image%n", model, batch, workers, raw, rawCpuMs);
        AtomicReference<ProcessStats> peak = new AtomicReference<>(loaded);
        Thread sampler = sampler(pid, peak);
        long serverCpu0 = ProcessStats.of(pid).cpuNanos();
        long clientCpu0 = ownCpuNanos();
        LoadGenerator.Result r = load.run(clients, level);
        double serverCpuMs = (ProcessStats.of(pid).cpuNanos() - serverCpu0) / 1e6 / Math.max(1, r.ok());
        double clientCores = (ownCpuNanos() - clientCpu0) / 1e9 / r.seconds();
        sampler.interrupt();
        sampler.join();
        String row = String.format(Locale.ROOT,
            "| %s | %d | %.0f | %.1f | %.1f | %d | %.0f | %.2f× | %.2f | %.2f× | %.2f | %.0f | %d | %d |", model,
            clients, r.throughput(), r.latency().p50Millis(), r.latency().p99Millis(), r.failed(), raw, r.throughput() / raw,
            serverCpuMs, rawCpuMs / serverCpuMs, clientCores, peak.get().rssMib(), peak.get().threads(),
            peak.get().openFds());
        System.out.println(row + (r.errors().isEmpty() ? "" : " errors " + r.errors()));
        rows.add(row);
      }
    }
    System.out.println();
    System.out.println("| model | clients | req/s | p50 ms | p99 ms | errors | floor img/s | req/s over floor |"
        + " server CPU ms/req | floor CPU ms/img over server's | load generator cores | peak RSS MiB | peak threads |"
        + " peak fds |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    rows.forEach(System.out::println);
    for (ManagedChannel c : channels) {
      c.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** CPU time this process (the load generator, or the floor's threads) has used. */
  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** A daemon thread keeping the largest RSS (and thread and fd counts) of {@code pid} seen until interrupted. */
  private static Thread sampler(long pid, AtomicReference<ProcessStats> peak) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          ProcessStats s = ProcessStats.of(pid);
          peak.updateAndGet(p -> new ProcessStats(Math.max(p.rssBytes(), s.rssBytes()), Math.max(p.threads(), s.threads()),
              Math.max(p.openFds(), s.openFds()), s.cpuNanos()));
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }, "rss-sampler");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static Map<String, List<String>> parse(String[] args) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option VALUE pairs, got " + args[i]);
      }
      out.computeIfAbsent(args[i], k -> new ArrayList<>()).add(args[++i]);
    }
    return out;
  }

  private static String one(Map<String, List<String>> opts, String name, String def) {
    List<String> v = opts.get(name);
    if (v == null || v.isEmpty()) {
      if (def == null) {
        throw new IllegalArgumentException("missing " + name);
      }
      return def;
    }
    return v.get(v.size() - 1);
  }
}
