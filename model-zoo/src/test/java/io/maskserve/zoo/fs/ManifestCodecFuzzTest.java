package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.maskserve.zoo.ModelManifest;

/**
 * Fuzzes {@link ManifestCodec#read(byte[])} with arbitrary bytes. Only {@link
 * InvalidManifestException} may escape (Jackson, number-format, date-time or record-validation
 * exceptions must all be translated). A manifest that parses must survive a write/read round trip
 * unchanged, since the store rewrites manifests (adding or removing a generator).
 */
class ManifestCodecFuzzTest {

  private static final ManifestCodec CODEC = new ManifestCodec();

  @FuzzTest(maxDuration = "10m", maxExecutions = 1_000_000)
  void read(byte[] json) {
    ModelManifest m;
    try {
      m = CODEC.read(json);
    } catch (InvalidManifestException expected) {
      assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
      return;
    }
    byte[] written = CODEC.write(m);
    assertEquals(m, CODEC.read(written), "a parsed manifest must round-trip");
  }
}
