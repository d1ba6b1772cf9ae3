package io.maskserve.bench.soak;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.bench.BenchImages;
import io.maskserve.bench.ProcessStats;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak of a running {@code maskserve serve} (issue 7): {@link Soak} load for a long time while the
 * server process is sampled every few seconds ({@link ProcessStats}: RSS, threads, open file
 * descriptors) and its live heap is measured every minute (a full GC through {@code jcmd PID
 * GC.run}, then {@code GC.heap_info}; with {@code --gc-log} also every collection of the server's
 * {@code -Xlog:gc:file=...:uptime} log). Prints the outcomes by kind and status code, then the
 * least-squares slopes per minute of heap, RSS, threads and fds over the second half of the run
 * (after warm-up effects), and the figures at the start and the end. Exits with 1 on any
 * unexpected outcome, 0 otherwise.
 *
 * <p>Usage: {@code SoakMain --server HOST:PORT --pid PID --model NAME --images DIR [--clients 64]
 * [--seconds 600] [--sample-seconds 5] [--heap-seconds 60] [--gc-log FILE] [--channels 8]
 * [--seed 1] [--idle-seconds 70]}; {@code --heap-seconds 0} never forces a GC; the server is sampled
 * once more {@code --idle-seconds} after the load (gRPC's idle pool threads go after 60 s).
 */
public final class SoakMain {

  private SoakMain() {}

  /** Samples of the server over time (seconds since the load started). */
  public static final class Samples {
    public final List<Slope.Point> rssMib = Collections.synchronizedList(new ArrayList<>());
    public final List<Slope.Point> threads = Collections.synchronizedList(new ArrayList<>());
    public final List<Slope.Point> fds = Collections.synchronizedList(new ArrayList<>());
    public final List<Slope.Point> liveHeapMib = Collections.synchronizedList(new ArrayList<>());

    /** Adds one sample of {@code pid} at {@code t}. */
    public void add(double t, ProcessStats s) {
      rssMib.add(new Slope.Point(t, s.rssMib()));
      threads.add(new Slope.Point(t, s.threads()));
      fds.add(new Slope.Point(t, s.openFds()));
    }
  }

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    Map<String, String> o = parse(args);
    String server = req(o, "--server");
    long pid = Long.parseLong(req(o, "--pid"));
    String model = req(o, "--model");
    Path imagesDir = Path.of(req(o, "--images"));
    int clients = Integer.parseInt(o.getOrDefault("--clients", "64"));
    Duration duration = Duration.ofSeconds(Long.parseLong(o.getOrDefault("--seconds", "600")));
    double sampleSeconds = Double.parseDouble(o.getOrDefault("--sample-seconds", "5"));
    long heapSeconds = Long.parseLong(o.getOrDefault("--heap-seconds", "60"));
    Path gcLog = o.containsKey("--gc-log") ? Path.of(o.get("--gc-log")) : null;
    int nChannels = Integer.parseInt(o.getOrDefault("--channels", "8"));
    long seed = Long.parseLong(o.getOrDefault("--seed", "1"));
    long idleSeconds = Long.parseLong(o.getOrDefault("--idle-seconds", "70"));

    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < nChannels; i++) {
      channels.add(NettyChannelBuilder.forTarget(server).usePlaintext().maxInboundMessageSize(64 << 20).build());
    }
    List<byte[]> images = BenchImages.load(imagesDir, 200);
    ModelInfo info = ModelZooServiceGrpc.newBlockingStub(channels.get(0)).listModels(ListModelsRequest.getDefaultInstance())
        .getModelsList().stream().filter(m -> m.getName().equals(model)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the server has no model " + model));
    // Load the model before measuring.
    ExplainServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(120, TimeUnit.SECONDS)
        .explain(ExplainRequest.newBuilder().setModel(model)
            .setEncoded(com.google.protobuf.ByteString.copyFrom(images.get(0))).build());

    System.out.printf(Locale.ROOT, "soak: %d clients for %d s against %s (pid %d), model %s (%d classes), %d images,"
        + " %d channels, seed %d%n", clients, duration.toSeconds(), server, pid, model, info.getLabelsCount(),
        images.size(), nChannels, seed);
    ProcessStats before = ProcessStats.of(pid);
    double heapBefore = liveHeapMib(pid);
    System.out.printf(Locale.ROOT, "before: RSS %.0f MiB, %d threads, %d fds, live heap %.1f MiB%n", before.rssMib(),
        before.threads(), before.openFds(), heapBefore);

    Samples samples = new Samples();
    long t0 = System.nanoTime();
    double uptimeAtStart = uptimeSeconds(pid);
    samples.add(0, before);
    samples.liveHeapMib.add(new Slope.Point(0, heapBefore));
    Thread sampler = new Thread(() -> {
      long nextHeap = heapSeconds > 0 ? (long) (heapSeconds * 1e9) : Long.MAX_VALUE;
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep((long) (sampleSeconds * 1000));
          long now = System.nanoTime() - t0;
          samples.add(now / 1e9, ProcessStats.of(pid));
          if (now >= nextHeap) {
            nextHeap += (long) (heapSeconds * 1e9);
            double h = liveHeapMib(pid);
            samples.liveHeapMib.add(new Slope.Point((System.nanoTime() - t0) / 1e9, h));
          }
        }
      } catch (InterruptedException e) {
        // done
      } catch (IOException e) {
        System.out.println("sampling failed (the server exited?): " + e);
      }
    }, "soak-sampler");
    sampler.setDaemon(true);
    sampler.start();

    Soak.Result r = new Soak(channels, model, images, info.getLabelsCount()).run(clients, duration, seed);
    sampler.interrupt();
    sampler.join();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    ProcessStats loadedEnd = ProcessStats.of(pid);
    samples.add(elapsed, loadedEnd);
    double heapEnd = liveHeapMib(pid);
    samples.liveHeapMib.add(new Slope.Point((System.nanoTime() - t0) / 1e9, heapEnd));
    // After the load: idle threads of gRPC's default executor (a cached pool) time out after 60 s.
    Thread.sleep(idleSeconds * 1000);
    ProcessStats idle = ProcessStats.of(pid);

    printResult(r);
    System.out.printf(Locale.ROOT, "end of load: RSS %.0f MiB, %d threads, %d fds, live heap %.1f MiB%n",
        loadedEnd.rssMib(), loadedEnd.threads(), loadedEnd.openFds(), heapEnd);
    System.out.printf(Locale.ROOT, "%d s after the load: RSS %.0f MiB, %d threads, %d fds%n", idleSeconds,
        idle.rssMib(), idle.threads(), idle.openFds());
    double half = elapsed / 2;
    System.out.printf(Locale.ROOT, "slopes per minute over the second half (t >= %.0f s):%n", half);
    // jcmd GC.heap_info runs a moment after GC.run: under load it also counts what was allocated in
    // between (tens of MiB at hundreds of calls per second). The GC log's full collections are exact.
    System.out.printf(Locale.ROOT, "  heap in use just after a forced full GC (jcmd GC.heap_info, includes allocations"
        + " since the GC) %+.3f MiB/min (%d points: %s)%n",
        Slope.perMinute(samples.liveHeapMib, half), samples.liveHeapMib.size(), values(samples.liveHeapMib));
    System.out.printf(Locale.ROOT, "  RSS %+.2f MiB/min, threads %+.3f /min, fds %+.3f /min (%d samples)%n",
        Slope.perMinute(samples.rssMib, half), Slope.perMinute(samples.threads, half),
        Slope.perMinute(samples.fds, half), samples.rssMib.size());
    System.out.printf(Locale.ROOT, "  range over the second half: RSS %s MiB, threads %s, fds %s%n",
        range(samples.rssMib, half), range(samples.threads, half), range(samples.fds, half));
    if (gcLog != null) {
      List<GcLog.Collection> gcs = GcLog.read(gcLog);
      List<Slope.Point> after = new ArrayList<>();
      List<Slope.Point> live = new ArrayList<>();
      for (GcLog.Collection c : gcs) {
        double t = c.uptimeSeconds() - uptimeAtStart;
        if (t >= 0 && t <= elapsed) {
          after.add(new Slope.Point(t, c.afterMib()));
          if (c.full()) {
            live.add(new Slope.Point(t, c.afterMib()));
          }
        }
      }
      System.out.printf(Locale.ROOT, "  live heap after each forced full GC (GC log) %+.3f MiB/min (%d points during the"
          + " load: %s)%n", Slope.perMinute(live, half), live.size(), values(live));
      System.out.printf(Locale.ROOT, "  heap after every GC (%s, %d collections during the load): %+.3f MiB/min,"
          + " second half %s MiB%n", gcLog.getFileName(), after.size(), Slope.perMinute(after, half),
          range(after, half));
    }
    for (ManagedChannel ch : channels) {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.out.println(r.unexpected() == 0 ? "PASS: no unexpected outcome" : "FAIL: " + r.unexpected()
        + " unexpected outcomes");
    System.exit(r.unexpected() == 0 ? 0 : 1);
  }

  /** Prints the outcomes of {@code r}. */
  public static void printResult(Soak.Result r) {
    System.out.printf(Locale.ROOT, "calls: %d in %.0f s (%.1f/s); by kind: %s%n", r.totalCalls(), r.seconds(),
        r.totalCalls() / r.seconds(), r.calls());
    System.out.println("outcomes by kind and status:");
    r.codes().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-36s %,d%n", k, v));
    System.out.printf(Locale.ROOT, "expected %,d, shed (RESOURCE_EXHAUSTED naming a server limit) %,d, unexpected %,d%n",
        r.expected(), r.shed(), r.unexpected());
    r.shedReasons().forEach((k, v) -> System.out.printf(Locale.ROOT, "  shed %,d: %s%n", v, k));
    r.examples().forEach(e -> System.out.println("  unexpected: " + e));
  }

  private static String values(List<Slope.Point> points) {
    StringBuilder b = new StringBuilder();
    synchronized (points) {
      for (Slope.Point p : points) {
        b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0fs=%.1f", p.t(), p.y()));
      }
    }
    return b.toString();
  }

  private static String range(List<Slope.Point> points, double from) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    synchronized (points) {
      for (Slope.Point p : points) {
        if (p.t() >= from) {
          min = Math.min(min, p.y());
          max = Math.max(max, p.y());
        }
      }
    }
    return String.format(Locale.ROOT, "%.0f..%.0f", min, max);
  }

  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K");

  /**
   * The server's heap in use right after a full GC ({@code jcmd PID GC.run}, then {@code
   * GC.heap_info}), in MiB; NaN if jcmd is unavailable.
   */
  static double liveHeapMib(long pid) {
    try {
      jcmd(pid, "GC.run");
      Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
      return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    } catch (IOException | InterruptedException e) {
      return Double.NaN;
    }
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(java.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /** JVM uptime of the server now, from its start time (to place its GC log lines). */
  private static double uptimeSeconds(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
        .map(s -> Duration.between(s, Instant.now()).toMillis() / 1000.0).orElse(0.0);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs, got '" + args[i] + "'");
      }
      out.put(args[i], args[++i]);
    }
    return out;
  }

  private static String req(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing " + key);
    }
    return v;
  }
}
