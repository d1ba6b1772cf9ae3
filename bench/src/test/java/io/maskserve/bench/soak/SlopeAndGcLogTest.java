package io.maskserve.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlopeAndGcLogTest {

  @Test
  void slopeIsPerMinuteOverThePointsFromTheGivenTime() {
    List<Slope.Point> points = List.of(new Slope.Point(0, 100), new Slope.Point(30, 5), new Slope.Point(60, 10),
        new Slope.Point(90, 11), new Slope.Point(120, 12));
    // From t = 60 s: y grows 1 per 30 s, 2 per minute; the earlier points do not count.
    assertEquals(2.0, Slope.perMinute(points, 60), 1e-9);
    assertEquals(0.0, Slope.perMinute(List.of(new Slope.Point(0, 3), new Slope.Point(60, 3)), 0), 1e-12);
    assertTrue(Double.isNaN(Slope.perMinute(points, 121)));
  }

  @Test
  void readsHeapAfterEachCollection(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("gc.log");
    Files.writeString(log, String.join("\n",
        "[0.012s] Using G1",
        "[5.123s] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(256M) 4.567ms",
        "[60.500s] GC(7) Pause Full (System.gc()) 80M->35M(256M) 120.300ms",
        "[61.000s] GC(8) Pause Young (Concurrent Start) (G1 Humongous Allocation) 1G->512M(2G) 9.1ms",
        "[62.000s] GC(9) Pause Remark 40M->40M(256M) 1.0ms",
        "[63.000s] GC(9) Concurrent Mark Cycle 12.0ms"));
    List<GcLog.Collection> c = GcLog.read(log);
    assertEquals(4, c.size());
    assertEquals(5.123, c.get(0).uptimeSeconds(), 1e-9);
    assertEquals(3, c.get(0).afterMib(), 1e-9);
    assertFalse(c.get(0).full());
    assertTrue(c.get(1).full());
    assertEquals(35, c.get(1).afterMib(), 1e-9);
    assertEquals(512, c.get(2).afterMib(), 1e-9);
    assertEquals(2048, c.get(2).committedMib(), 1e-9);
    assertEquals(List.of(), GcLog.read(dir.resolve("missing.log")));
  }
}
