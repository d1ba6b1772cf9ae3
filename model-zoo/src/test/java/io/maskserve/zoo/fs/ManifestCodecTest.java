package io.maskserve.zoo.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ResizeMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestCodecTest {

  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "0123456789abcdef".repeat(4);

  private final ManifestCodec codec = new ManifestCodec();
  private final ObjectMapper json = new ObjectMapper();

  static ModelManifest sample(boolean withGenerator) {
    return sample(withGenerator, false);
  }

  static ModelManifest sample(boolean withGenerator, boolean classConditional) {
    InputSpec input = new InputSpec(224, 200, ResizeMode.RESIZE_SHORTER_CENTER_CROP,
        new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    Optional<GeneratorSpec> gen = withGenerator
        ? Optional.of(new GeneratorSpec(new Artifact("generator.onnx", SHA_B, 1234), 0.35f, 28, 25,
            classConditional, Instant.parse("2025-02-03T04:05:06.789Z"), "reference"))
        : Optional.empty();
    return new ModelManifest("mobilenet", "1.10", List.of("cat", "dog", "ünïcode \"quoted\""), input,
        new Artifact("classifier.onnx", SHA_A, 5_000_000_000L), gen, Instant.parse("2025-01-02T03:04:05Z"),
        "a description");
  }

  @Test
  void roundTripsWithAndWithoutGenerator() {
    for (boolean g : new boolean[] {false, true}) {
      ModelManifest m = sample(g);
      ModelManifest back = codec.read(codec.write(m));
      assertEquals(m, back);
      assertArrayEquals(m.input().mean(), back.input().mean());
    }
  }

  @Test
  void roundTripsTheClassConditionalFlag() throws Exception {
    for (boolean conditional : new boolean[] {false, true}) {
      ModelManifest m = sample(true, conditional);
      assertEquals(conditional, json.readTree(codec.write(m)).at("/generator/class_conditional").booleanValue());
      ModelManifest back = codec.read(codec.write(m));
      assertEquals(m, back);
      assertEquals(conditional, back.generator().orElseThrow().classConditional());
    }
  }

  @Test
  void readsAManifestWrittenBeforeClassConditionalGeneratorsAsUnconditional() {
    // Verbatim the shape of a manifest.json written before the flag existed.
    String old = """
        {"format":1,"name":"resnet20","version":"1","created":"2025-01-01T00:00:00Z","description":"",
         "labels":["airplane","automobile"],
         "input":{"layout":"NCHW","height":32,"width":32,"resize":"RESIZE",
                  "mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]},
         "classifier":{"file":"classifier.onnx","sha256":"%s","size_bytes":1112345},
         "generator":{"file":"generator.onnx","sha256":"%s","size_bytes":1234,"threshold":0.35,
                      "output_height":8,"output_width":8,"created":"2025-01-02T00:00:00Z","description":""}}
        """.formatted(SHA_A, SHA_B);
    ModelManifest m = codec.read(old.getBytes(StandardCharsets.UTF_8));
    GeneratorSpec g = m.generator().orElseThrow();
    assertFalse(g.classConditional());
    assertEquals(8, g.outputHeight());
    // Written again, it carries the flag explicitly.
    assertEquals(m, codec.read(codec.write(m)));
  }

  @Test
  void writesTheDocumentedJsonShape() throws Exception {
    JsonNode n = json.readTree(codec.write(sample(true)));
    assertEquals(1, n.get("format").intValue());
    assertEquals("mobilenet", n.get("name").textValue());
    assertEquals("1.10", n.get("version").textValue());
    assertEquals("2025-01-02T03:04:05Z", n.get("created").textValue());
    assertEquals("NCHW", n.at("/input/layout").textValue());
    assertEquals(224, n.at("/input/height").intValue());
    assertEquals(200, n.at("/input/width").intValue());
    assertEquals("RESIZE_SHORTER_CENTER_CROP", n.at("/input/resize").textValue());
    assertEquals("0.485", n.at("/input/mean/0").asText());
    assertEquals("0.225", n.at("/input/std/2").asText());
    assertEquals("classifier.onnx", n.at("/classifier/file").textValue());
    assertEquals(5_000_000_000L, n.at("/classifier/size_bytes").longValue());
    assertEquals(SHA_B, n.at("/generator/sha256").textValue());
    assertEquals(28, n.at("/generator/output_height").intValue());
    assertEquals(25, n.at("/generator/output_width").intValue());
    assertEquals("0.35", n.at("/generator/threshold").asText());
    assertEquals("2025-02-03T04:05:06.789Z", n.at("/generator/created").textValue());
    assertTrue(n.at("/generator/class_conditional").isBoolean());
    assertFalse(json.readTree(codec.write(sample(false))).has("generator"));
  }

  private ObjectNode tree(boolean generator) throws Exception {
    return (ObjectNode) json.readTree(codec.write(sample(generator)));
  }

  private String rejected(byte[] bytes) {
    InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> codec.read(bytes));
    assertFalse(e.getMessage().isBlank());
    return e.getMessage();
  }

  private String rejected(JsonNode n) throws Exception {
    return rejected(json.writeValueAsBytes(n));
  }

  @Test
  void rejectsBadManifestsWithClearMessages() throws Exception {
    assertTrue(rejected("".getBytes(StandardCharsets.UTF_8)).contains("JSON"));
    assertTrue(rejected("{\"format\":1,".getBytes(StandardCharsets.UTF_8)).contains("not valid JSON"));
    assertTrue(rejected("[1,2]".getBytes(StandardCharsets.UTF_8)).contains("object"));
    assertTrue(rejected(new byte[] {(byte) 0xff, 0, 1, 2}).contains("JSON"));
    assertTrue(rejected(tree(false).put("format", 2)).contains("format 2"));
    assertTrue(rejected(tree(false).put("format", "1")).contains("format"));
    ObjectNode noName = tree(false);
    noName.remove("name");
    assertTrue(rejected(noName).contains("'name' is missing"));
    assertTrue(rejected(tree(false).put("name", "../etc")).contains("invalid"));
    ObjectNode badHeight = tree(false);
    ((ObjectNode) badHeight.get("input")).put("height", "32");
    assertTrue(rejected(badHeight).contains("input.height"));
    ObjectNode hugeHeight = tree(false);
    ((ObjectNode) hugeHeight.get("input")).put("height", 1L << 40);
    assertTrue(rejected(hugeHeight).contains("input.height"));
    ObjectNode negStd = tree(false);
    ((com.fasterxml.jackson.databind.node.ArrayNode) negStd.at("/input/std")).set(0, json.getNodeFactory().numberNode(-1));
    assertTrue(rejected(negStd).contains("std"));
    ObjectNode badResize = tree(false);
    ((ObjectNode) badResize.get("input")).put("resize", "STRETCH");
    assertTrue(rejected(badResize).contains("input.resize"));
    ObjectNode badFile = tree(false);
    ((ObjectNode) badFile.get("classifier")).put("file", "../../etc/passwd");
    assertTrue(rejected(badFile).contains("classifier.file"));
    ObjectNode badSha = tree(true);
    ((ObjectNode) badSha.get("generator")).put("sha256", "XYZ");
    assertTrue(rejected(badSha).contains("sha256"));
    ObjectNode badThreshold = tree(true);
    ((ObjectNode) badThreshold.get("generator")).put("threshold", 1.5);
    assertTrue(rejected(badThreshold).contains("threshold"));
    ObjectNode badFlag = tree(true);
    ((ObjectNode) badFlag.get("generator")).put("class_conditional", "yes");
    assertTrue(rejected(badFlag).contains("generator.class_conditional"));
    assertTrue(rejected(tree(false).put("created", "yesterday")).contains("created"));
    ObjectNode noLabels = tree(false);
    noLabels.putArray("labels");
    assertTrue(rejected(noLabels).contains("labels"));
    String dup = "{\"format\":1,\"format\":1}";
    assertTrue(rejected(dup.getBytes(StandardCharsets.UTF_8)).contains("JSON"));
    String deep = "{\"format\":1,\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertTrue(rejected(deep.getBytes(StandardCharsets.UTF_8)).contains("JSON"));
    byte[] big = new byte[ManifestCodec.MAX_MANIFEST_BYTES + 1];
    assertTrue(rejected(big).contains("larger"));
  }

  @Test
  void acceptsOffsetTimesAndIgnoresUnknownFields() throws Exception {
    ObjectNode n = tree(true).put("created", "2025-01-02T05:04:05+02:00").put("future_field", 7);
    assertEquals(Instant.parse("2025-01-02T03:04:05Z"), codec.read(json.writeValueAsBytes(n)).created());
  }

  @Test
  void readsFilesWithSizeCap(@TempDir Path dir) throws Exception {
    Path ok = Files.write(dir.resolve("m.json"), codec.write(sample(true)));
    assertEquals(sample(true), codec.read(ok));
    Path big = Files.write(dir.resolve("big.json"), new byte[ManifestCodec.MAX_MANIFEST_BYTES + 10]);
    InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> codec.read(big));
    assertTrue(e.getMessage().contains("larger"), e.getMessage());
  }
}
