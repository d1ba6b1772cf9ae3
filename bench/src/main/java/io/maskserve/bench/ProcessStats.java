package io.maskserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A process's resident memory, thread count and open file descriptors, read from Linux's
 * {@code /proc/<pid>}.
 *
 * @param rssBytes resident set size
 * @param threads number of threads
 * @param openFds number of open file descriptors
 * @param cpuNanos CPU time used so far, user plus system, all threads
 */
public record ProcessStats(long rssBytes, int threads, int openFds, long cpuNanos) {

  /** Linux reports CPU time in clock ticks of USER_HZ, 100 per second on every common architecture. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  /**
   * Reads the figures of process {@code pid}.
   *
   * @throws IOException if the process is gone or {@code /proc} is unreadable
   */
  public static ProcessStats of(long pid) throws IOException {
    Path dir = Path.of("/proc", Long.toString(pid));
    long rss = -1;
    int threads = -1;
    for (String line : Files.readAllLines(dir.resolve("status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      } else if (line.startsWith("Threads:")) {
        threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
      }
    }
    int fds;
    try (Stream<Path> s = Files.list(dir.resolve("fd"))) {
      fds = (int) s.count();
    }
    // /proc/<pid>/stat: "pid (comm) state ..." — comm may hold spaces, so count fields after ')':
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the closing parenthesis.
    String stat = Files.readString(dir.resolve("stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    return new ProcessStats(rss, threads, fds, cpu);
  }

  /** Resident memory in MiB. */
  public double rssMib() {
    return rssBytes / (1024.0 * 1024.0);
  }
}
