package io.maskserve.server.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskSamplerTest {

  private final MaskSampler sampler = new MaskSampler();

  private static float[] randomMap(int n, long seed) {
    Random r = new Random(seed);
    float[] map = new float[n];
    for (int i = 0; i < n; i++) {
      map[i] = r.nextFloat();
    }
    map[0] = 0f;
    map[n - 1] = 1f;
    return map;
  }

  @Test
  void sameSeedGivesIdenticalSamples() {
    float[] map = randomMap(13 * 7, 1);
    List<PackedMask> a = sampler.sample(map, 13, 7, 10, 42L);
    List<PackedMask> b = sampler.sample(map.clone(), 13, 7, 10, 42L);
    assertEquals(a, b);
    // A longer request starts with the same samples.
    assertEquals(a, sampler.sample(map, 13, 7, 12, 42L).subList(0, 10));
  }

  @Test
  void differentSeedsDiffer() {
    float[] map = new float[32 * 32];
    java.util.Arrays.fill(map, 0.5f);
    assertNotEquals(sampler.sample(map, 32, 32, 4, 1L), sampler.sample(map, 32, 32, 4, 2L));
    List<PackedMask> s = sampler.sample(map, 32, 32, 4, 1L);
    assertNotEquals(s.get(0), s.get(1), "consecutive samples must differ too");
  }

  @Test
  void samplesFollowTheDocumentedScheme() {
    float[] map = randomMap(5 * 3, 9);
    List<PackedMask> masks = sampler.sample(map, 5, 3, 3, -7L);
    SplittableRandom rng = new SplittableRandom(-7L);
    for (PackedMask m : masks) {
      for (int i = 0; i < map.length; i++) {
        assertEquals(rng.nextDouble() < map[i], m.kept(i), "pixel " + i);
      }
    }
  }

  @Test
  void samplesAreBinaryAndFollowTheMap() {
    int h = 8;
    int w = 16;
    float[] map = randomMap(h * w, 3);
    int n = 4000;
    List<PackedMask> masks = sampler.sample(map, h, w, n, 123L);
    int[] kept = new int[h * w];
    for (PackedMask m : masks) {
      boolean[] keep = m.unpack();
      int count = 0;
      for (int i = 0; i < keep.length; i++) {
        if (keep[i]) {
          kept[i]++;
          count++;
        }
      }
      assertEquals((float) count / keep.length, m.keepFraction(), 1e-6f);
      // Padding bits beyond the last pixel stay 0: every byte encodes only real pixels.
      assertEquals(PackedMask.byteLength(h * w), m.bits().length);
    }
    for (int i = 0; i < map.length; i++) {
      double freq = (double) kept[i] / n;
      double sd = Math.sqrt(map[i] * (1 - map[i]) / n);
      assertEquals(map[i], freq, 5 * sd + 1e-9, "pixel " + i);
    }
    assertEquals(0, kept[0], "p = 0 is never kept");
    assertEquals(n, kept[map.length - 1], "p = 1 is always kept");
  }

  @Test
  void deterministicMaskIsMapAtLeastThreshold() {
    float[] map = randomMap(11 * 9, 5);
    map[3] = 0.4f; // exactly at the threshold: kept
    PackedMask m = sampler.threshold(map, 11, 9, 0.4f);
    for (int i = 0; i < map.length; i++) {
      assertEquals(map[i] >= 0.4f, m.kept(i), "pixel " + i);
    }
    assertTrue(m.kept(3));
  }

  @Test
  void packUnpackRoundTripsForAnySize() {
    Random r = new Random(11);
    int[][] sizes = {{1, 1}, {1, 7}, {3, 3}, {8, 8}, {5, 13}, {32, 32}, {31, 17}};
    for (int[] s : sizes) {
      boolean[] keep = new boolean[s[0] * s[1]];
      for (int i = 0; i < keep.length; i++) {
        keep[i] = r.nextBoolean();
      }
      PackedMask m = PackedMask.pack(s[0], s[1], keep);
      assertArrayEquals(keep, m.unpack(), s[0] + "x" + s[1]);
      assertEquals(m, new PackedMask(s[0], s[1], m.bits(), m.keepFraction()));
    }
  }

  @Test
  void packingIsRowMajorMsbFirst() {
    boolean[] keep = new boolean[10];
    keep[0] = true; // bit 7 of byte 0
    keep[7] = true; // bit 0 of byte 0
    keep[9] = true; // bit 6 of byte 1
    byte[] bits = PackedMask.pack(2, 5, keep).bits();
    assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0x40}, bits);
  }

  @Test
  void rejectsWrongSizes() {
    assertThrows(IllegalArgumentException.class, () -> sampler.threshold(new float[5], 2, 3, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new PackedMask(2, 5, new byte[1], 0f));
    assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[4], 2, 2, -1, 0L));
  }

  @Test
  void topKeepsTheMostSalientFractionWithTiesInRowMajorOrder() {
    float[] map = {0.1f, 5f, -3f, 5f, Float.NaN, 2f};
    assertArrayEquals(new boolean[] {false, true, false, true, false, true}, sampler.top(map, 2, 3, 0.5f).unpack());
    // round(0.25 * 6) = 2 (1.5 rounds up): the two 5s; one of them alone with 1/6.
    assertArrayEquals(new boolean[] {false, true, false, true, false, false}, sampler.top(map, 2, 3, 0.25f).unpack());
    assertArrayEquals(new boolean[] {false, true, false, false, false, false}, sampler.top(map, 2, 3, 1f / 6).unpack());
    // NaN ranks last: kept only when everything is.
    assertArrayEquals(new boolean[] {true, true, true, true, false, true}, sampler.top(map, 2, 3, 5f / 6).unpack());
    assertEquals(1f, sampler.top(map, 2, 3, 1f).keepFraction());
    assertEquals(0f, sampler.top(map, 2, 3, 0f).keepFraction());
    assertThrows(IllegalArgumentException.class, () -> sampler.top(map, 2, 3, 1.5f));
    assertThrows(IllegalArgumentException.class, () -> sampler.top(map, 2, 3, Float.NaN));
  }
}
