package io.maskserve.zoo.fs;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.InputSpec;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelNames;
import io.maskserve.zoo.ResizeMode;
import io.maskserve.zoo.ZooException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes {@code manifest.json}, the JSON form of a {@link ModelManifest}:
 *
 * <pre>{@code
 * {"format":1,"name":"resnet20","version":"1","created":"2025-01-01T00:00:00Z","description":"",
 *  "labels":["airplane",...],
 *  "input":{"layout":"NCHW","height":32,"width":32,"resize":"RESIZE",
 *           "mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]},
 *  "classifier":{"file":"classifier.onnx","sha256":"...","size_bytes":1112345},
 *  "generator":{"file":"generator.onnx","sha256":"...","size_bytes":1234,"threshold":0.35,
 *               "output_height":32,"output_width":32,"class_conditional":false,
 *               "features":[],"reads_image":true,"created":"...","description":""}}
 * }</pre>
 *
 * {@code generator} is omitted when the version has none; times are RFC 3339 in UTC; {@code resize}
 * is a {@link ResizeMode} name. {@code generator.class_conditional} is always written; when it is
 * absent (manifests written before class-conditional generators existed) it reads as {@code false},
 * which is what those generators are; likewise absent {@code features} and {@code reads_image} read
 * as a generator of the image only. Parsing treats its input as untrusted: at most {@value
 * #MAX_MANIFEST_BYTES} bytes, nesting depth and string lengths capped, duplicate keys rejected, an
 * unknown {@code format} rejected, every field type-checked and then validated by the records.
 * Unknown extra fields are ignored. Every parse failure is an {@link InvalidManifestException}.
 * Thread-safe.
 */
public final class ManifestCodec {

  /** Largest manifest accepted by {@link #read}. */
  public static final int MAX_MANIFEST_BYTES = 1 << 20;

  private static final int MAX_DEPTH = 16;

  private final ObjectMapper mapper;

  /** Creates a codec. */
  public ManifestCodec() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_MANIFEST_BYTES)
                    .maxNumberLength(64)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
  }

  /** A checksum of the right form standing for one not computed yet. */
  private static final String PLACEHOLDER_SHA256 = "0".repeat(64);

  /**
   * Fails as {@link #write} would on the manifest that registering {@code registration}'s
   * classifier as {@code file} will produce: stores call it before reading the upload, so too much
   * metadata is refused before any bytes are stored.
   */
  public void requireRoomForClassifier(ClassifierRegistration registration, String file, Instant now) {
    write(new ModelManifest(registration.name(), registration.version(), registration.labels(), registration.input(),
        new Artifact(file, PLACEHOLDER_SHA256, Long.MAX_VALUE), Optional.empty(), now, registration.description()));
  }

  /**
   * Fails as {@link #write} would on {@code manifest} once it has a generator stored as {@code
   * file} (see {@link #requireRoomForClassifier}).
   */
  public void requireRoomForGenerator(ModelManifest manifest, String file, float threshold, String description,
      Instant now) {
    write(manifest.withGenerator(Optional.of(new GeneratorSpec(
        new Artifact(file, PLACEHOLDER_SHA256, Long.MAX_VALUE), threshold, 1, 1, false, now, description))));
  }

  /**
   * Serializes {@code manifest} as UTF-8 JSON (pretty-printed, trailing newline).
   *
   * @throws InvalidManifestException (INVALID_ARGUMENT) if the result is larger than {@value
   *     #MAX_MANIFEST_BYTES} bytes, which {@link #read} would refuse: a manifest is only written if it
   *     can be read back
   */
  public byte[] write(ModelManifest manifest) {
    byte[] bytes = (toJson(manifest) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw new InvalidManifestException("the manifest of " + manifest.key() + " would be " + bytes.length
          + " bytes, over the limit of " + MAX_MANIFEST_BYTES + " bytes (" + manifest.labels().size()
          + " labels, descriptions of " + manifest.description().length() + " and "
          + manifest.generator().map(g -> g.description().length()).orElse(0)
          + " characters); use fewer or shorter labels or a shorter description");
    }
    return bytes;
  }

  /** Serializes {@code manifest} as a JSON string. */
  public String toJson(ModelManifest manifest) {
    ObjectNode root = mapper.createObjectNode();
    root.put("format", ModelManifest.FORMAT_VERSION);
    root.put("name", manifest.name());
    root.put("version", manifest.version());
    root.put("created", formatTime(manifest.created()));
    root.put("description", manifest.description());
    ArrayNode labels = root.putArray("labels");
    manifest.labels().forEach(labels::add);
    InputSpec in = manifest.input();
    ObjectNode input = root.putObject("input");
    input.put("layout", "NCHW");
    input.put("height", in.height());
    input.put("width", in.width());
    input.put("resize", in.resizeMode().name());
    ArrayNode mean = input.putArray("mean");
    ArrayNode std = input.putArray("std");
    for (int c = 0; c < 3; c++) {
      mean.add(in.mean(c));
      std.add(in.std(c));
    }
    putArtifact(root.putObject("classifier"), manifest.classifier());
    manifest.generator().ifPresent(g -> {
      ObjectNode gen = root.putObject("generator");
      putArtifact(gen, g.artifact());
      gen.put("threshold", g.threshold());
      gen.put("output_height", g.outputHeight());
      gen.put("output_width", g.outputWidth());
      gen.put("class_conditional", g.classConditional());
      ArrayNode features = gen.putArray("features");
      g.features().forEach(features::add);
      gen.put("reads_image", g.readsImage());
      gen.put("created", formatTime(g.created()));
      gen.put("description", g.description());
    });
    try {
      return mapper.writeValueAsString(root);
    } catch (JacksonException e) {
      throw new ZooException(ZooException.Reason.INTERNAL, "cannot serialize manifest: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a manifest file, refusing files over {@value #MAX_MANIFEST_BYTES} bytes without reading
   * them whole.
   *
   * @throws IOException if the file cannot be read (e.g. {@link java.nio.file.NoSuchFileException})
   * @throws InvalidManifestException if the content is not a valid manifest
   */
  public ModelManifest read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), MAX_MANIFEST_BYTES) + 1);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // read until full or EOF
      }
      if (buf.position() > MAX_MANIFEST_BYTES) {
        throw new InvalidManifestException(file + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
      }
      byte[] bytes = new byte[buf.position()];
      buf.flip().get(bytes);
      try {
        return read(bytes);
      } catch (InvalidManifestException e) {
        throw new InvalidManifestException(file + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Parses manifest JSON.
   *
   * @throws InvalidManifestException naming what is wrong
   */
  public ModelManifest read(byte[] json) {
    if (json.length > MAX_MANIFEST_BYTES) {
      throw new InvalidManifestException("manifest is larger than " + MAX_MANIFEST_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (IOException | RuntimeException e) {
      throw new InvalidManifestException("manifest is not valid JSON: " + firstLine(e.getMessage()), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidManifestException("manifest must be a JSON object");
    }
    JsonNode format = root.get("format");
    if (format == null || !format.isIntegralNumber()) {
      throw new InvalidManifestException("manifest has no integer 'format' field");
    }
    if (!format.canConvertToInt() || format.intValue() != ModelManifest.FORMAT_VERSION) {
      throw new InvalidManifestException("manifest format " + format.asText() + " is not supported (this build reads format "
          + ModelManifest.FORMAT_VERSION + ")");
    }
    try {
      String name = text(root, "name", "");
      String version = text(root, "version", "");
      Instant created = time(root, "created", "");
      String description = optionalText(root, "description", "");
      JsonNode labelsNode = array(root, "labels", "");
      List<String> labels = new ArrayList<>(labelsNode.size());
      for (int i = 0; i < labelsNode.size(); i++) {
        JsonNode l = labelsNode.get(i);
        if (!l.isTextual()) {
          throw new InvalidManifestException("manifest field 'labels[" + i + "]' must be a string");
        }
        labels.add(l.textValue());
      }
      JsonNode inputNode = object(root, "input", "");
      String layout = text(inputNode, "layout", "input.");
      if (!layout.equals("NCHW")) {
        throw new InvalidManifestException("manifest field 'input.layout' must be \"NCHW\", got \"" + layout + "\"");
      }
      String resize = text(inputNode, "resize", "input.");
      ResizeMode mode;
      try {
        mode = ResizeMode.valueOf(resize);
      } catch (IllegalArgumentException e) {
        throw new InvalidManifestException("manifest field 'input.resize' must be one of "
            + java.util.Arrays.toString(ResizeMode.values()) + ", got \"" + resize + "\"");
      }
      InputSpec input =
          new InputSpec(
              integer(inputNode, "height", "input."),
              integer(inputNode, "width", "input."),
              mode,
              floats3(inputNode, "mean", "input."),
              floats3(inputNode, "std", "input."));
      Artifact classifier = artifact(object(root, "classifier", ""), "classifier.");
      Optional<GeneratorSpec> generator = Optional.empty();
      JsonNode genNode = root.get("generator");
      if (genNode != null && !genNode.isNull()) {
        if (!genNode.isObject()) {
          throw new InvalidManifestException("manifest field 'generator' must be an object");
        }
        generator =
            Optional.of(
                new GeneratorSpec(
                    artifact(genNode, "generator."),
                    number(genNode, "threshold", "generator.").floatValue(),
                    integer(genNode, "output_height", "generator."),
                    integer(genNode, "output_width", "generator."),
                    optionalBoolean(genNode, "class_conditional", "generator.", false),
                    time(genNode, "created", "generator."),
                    optionalText(genNode, "description", "generator."),
                    optionalStrings(genNode, "features", "generator."),
                    optionalBoolean(genNode, "reads_image", "generator.", true)));
      }
      return new ModelManifest(name, version, labels, input, classifier, generator, created, description);
    } catch (InvalidManifestException e) {
      throw e;
    } catch (IllegalArgumentException | ZooException e) {
      throw new InvalidManifestException("manifest is invalid: " + e.getMessage(), e);
    }
  }

  private static void putArtifact(ObjectNode node, Artifact a) {
    node.put("file", a.file());
    node.put("sha256", a.sha256());
    node.put("size_bytes", a.sizeBytes());
  }

  private static Artifact artifact(JsonNode node, String path) {
    String file = text(node, "file", path);
    if (!ModelNames.isValid(file)) {
      throw new InvalidManifestException("manifest field '" + path + "file' must be a plain file name, got \""
          + abbreviate(file) + "\"");
    }
    JsonNode size = number(node, "size_bytes", path);
    if (!size.isIntegralNumber() || !size.canConvertToLong()) {
      throw new InvalidManifestException("manifest field '" + path + "size_bytes' must be an integer");
    }
    return new Artifact(file, text(node, "sha256", path), size.longValue());
  }

  private static String formatTime(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }

  private static Instant time(JsonNode node, String field, String path) {
    String s = text(node, field, path);
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be an RFC 3339 time, got \""
          + abbreviate(s) + "\"");
    }
  }

  private static JsonNode field(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' is missing");
    }
    return v;
  }

  private static String text(JsonNode node, String field, String path) {
    JsonNode v = field(node, field, path);
    if (!v.isTextual()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be a string");
    }
    return v.textValue();
  }

  private static String optionalText(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be a string");
    }
    return v.textValue();
  }

  private static List<String> optionalStrings(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be an array of strings");
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw new InvalidManifestException("manifest field '" + path + field + "[" + i + "]' must be a string");
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  private static boolean optionalBoolean(JsonNode node, String field, String path, boolean absent) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be true or false");
    }
    return v.booleanValue();
  }

  private static JsonNode number(JsonNode node, String field, String path) {
    JsonNode v = field(node, field, path);
    if (!v.isNumber()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be a number");
    }
    return v;
  }

  private static int integer(JsonNode node, String field, String path) {
    JsonNode v = number(node, field, path);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be a 32-bit integer");
    }
    return v.intValue();
  }

  private static JsonNode array(JsonNode node, String field, String path) {
    JsonNode v = field(node, field, path);
    if (!v.isArray()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be an array");
    }
    return v;
  }

  private static JsonNode object(JsonNode node, String field, String path) {
    JsonNode v = field(node, field, path);
    if (!v.isObject()) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must be an object");
    }
    return v;
  }

  private static float[] floats3(JsonNode node, String field, String path) {
    JsonNode v = array(node, field, path);
    if (v.size() != 3) {
      throw new InvalidManifestException("manifest field '" + path + field + "' must have 3 numbers (R,G,B)");
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      if (!v.get(i).isNumber()) {
        throw new InvalidManifestException("manifest field '" + path + field + "[" + i + "]' must be a number");
      }
      out[i] = v.get(i).floatValue();
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
