package io.maskserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.TestData;
import io.maskserve.server.limits.ServerLimits;
import io.maskserve.v1.ClassifierMetadata;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.FloatTensor;
import io.maskserve.v1.GeneratorMetadata;
import io.maskserve.zoo.MetadataLimits;
import io.maskserve.zoo.testing.TestOnnxModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs against a real server (TCP, Netty client): each is rejected with a precise gRPC
 * status, the server keeps serving, and a rejected registration leaves the zoo directory exactly as
 * it was (no new version, no staging or temp files). Cases already covered elsewhere (a 20-byte
 * JPEG, a 100x100 image over a small pixel limit, an unparseable upload, one wrong tensor shape)
 * are not repeated; see RELIABILITY.md for the full table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputsTest {

  static final long MAX_UPLOAD = 8L << 20;

  @TempDir static Path zoo;
  private MaskserveServer server;
  private ManagedChannel channel;
  private ExplainServiceGrpc.ExplainServiceBlockingStub explain;

  @BeforeAll
  void start() {
    TestData.populate(zoo, "1", 8);
    // Default image limits (4096*4096 pixels, 16384 per side), a small upload limit.
    server = MaskserveServer.start(ServerConfig.builder()
        .zoo(zoo)
        .port(0)
        .limits(ServerLimits.builder().maxUploadBytes(MAX_UPLOAD).build())
        .refreshInterval(Duration.ofMillis(200))
        .shutdownGrace(Duration.ofSeconds(5))
        .build());
    channel = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    explain = ExplainServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  // ------------------------------------------------------------------------------------ helpers

  private ExplainServiceGrpc.ExplainServiceBlockingStub explain() {
    return explain.withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static ExplainRequest encoded(byte[] bytes) {
    return ExplainRequest.newBuilder().setModel(TestData.MODEL).setEncoded(ByteString.copyFrom(bytes)).build();
  }

  private static ExplainRequest tensor(byte[] data, long... shape) {
    FloatTensor.Builder t = FloatTensor.newBuilder().setData(ByteString.copyFrom(data));
    for (long d : shape) {
      t.addShape(d);
    }
    return ExplainRequest.newBuilder().setModel(TestData.MODEL).setTensor(t).build();
  }

  /** The failed call's status; fails the test if the call succeeded. */
  private static Status status(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus();
  }

  private static void assertStatus(Status.Code code, String fragment, Status s) {
    assertEquals(code, s.getCode(), s.toString());
    assertTrue(s.getDescription() != null && s.getDescription().contains(fragment),
        "expected '" + fragment + "' in: " + s.getDescription());
  }

  private void assertStillServes() {
    ExplainResponse r = explain().explain(encoded(TestData.read(TestData.cifarImage("ship", 808))));
    assertEquals(5, r.getPredictionsCount());
  }

  private static byte[] png(BufferedImage image) {
    return write(image, "png");
  }

  private static byte[] write(BufferedImage image, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertTrue(ImageIO.write(image, format, out), format);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    CRC32 crc = new CRC32();
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    crc.update(t);
    crc.update(data);
    out.writeInt(data.length);
    out.write(t);
    out.write(data);
    out.writeInt((int) crc.getValue());
  }

  /**
   * A well-formed 8-bit grayscale PNG of {@code side x side} black pixels: {@code side = 20000}
   * inflates to 400 MB of pixels (1.6 GB as RGB) from about 400 KB.
   */
  static byte[] blackPng(int side) {
    try {
      ByteArrayOutputStream file = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(file);
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
      chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(side).putInt(side).put((byte) 8).put((byte) 0)
          .put((byte) 0).put((byte) 0).put((byte) 0).array());
      ByteArrayOutputStream idat = new ByteArrayOutputStream();
      try (OutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
        byte[] row = new byte[side + 1]; // filter type 0, then black pixels
        for (int y = 0; y < side; y++) {
          z.write(row);
        }
      }
      chunk(out, "IDAT", idat.toByteArray());
      chunk(out, "IEND", new byte[0]);
      return file.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  /**
   * The zoo's files, relative to its root. The server may be deleting a staging file while we walk
   * (an upload it has just refused is cleaned up after the answer), so a file that vanishes under
   * the walk restarts it rather than failing the test.
   */
  private static List<String> zooTree() {
    for (int attempt = 0; ; attempt++) {
      try (Stream<Path> s = Files.walk(zoo)) {
        return s.filter(p -> !p.getFileName().toString().equals(".lock"))
            .map(p -> zoo.relativize(p).toString())
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof NoSuchFileException) || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  /**
   * Runs a registration that must fail, returns its status, and checks that the zoo directory is
   * unchanged afterwards (waiting briefly: an upload cut off by the server is cleaned up by its
   * upload thread right after the answer).
   */
  private Status rejectedRegistration(Runnable registration) throws InterruptedException {
    List<String> before = zooTree();
    Status s = status(registration);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!zooTree().equals(before) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(before, zooTree(), "the zoo changed after a rejected registration (" + s + ")");
    return s;
  }

  private ClassifierMetadata tinyMetadata(String version) {
    return ZooUploads.resnetMetadata(version); // 10 labels, 32x32, as the tiny classifier below
  }

  private static byte[] tinyClassifier() {
    return TestOnnxModels.classifier(32, 32, 10, "N");
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ----------------------------------------------------------------------------- image inputs

  @Test
  void decompressionBombOf20000x20000IsResourceExhaustedFromTheHeader() {
    byte[] bomb = blackPng(20_000);
    assertTrue(bomb.length < 1 << 20, "the bomb is " + bomb.length + " bytes");
    long before = System.nanoTime();
    Status s = status(() -> explain().explain(encoded(bomb)));
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "20000x20000", s);
    assertTrue(s.getDescription().contains(String.valueOf(ServerLimits.builder().build().maxImagePixels())),
        s.getDescription());
    // Refused from the header: no time spent inflating 400 MB.
    assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(10));
    assertStillServes();
  }

  @Test
  void bmpClaimingOnePixelAroundAPngBombIsInvalidArgument() {
    // ImageIO decodes a BMP's embedded PNG at the PNG's own size, which the BMP header hides: this
    // 1x1 "BMP" would make the server inflate 400 MB and pass every size check.
    byte[] png = blackPng(20_000);
    ByteBuffer bmp = ByteBuffer.allocate(14 + 40 + png.length).order(ByteOrder.LITTLE_ENDIAN);
    bmp.put((byte) 'B').put((byte) 'M').putInt(bmp.capacity()).putInt(0).putInt(54);
    bmp.putInt(40).putInt(1).putInt(1).putShort((short) 1).putShort((short) 0).putInt(5 /* BI_PNG */)
        .putInt(png.length).putInt(0).putInt(0).putInt(0).putInt(0).put(png);
    assertStatus(Status.Code.INVALID_ARGUMENT, "embedded PNG", status(() -> explain().explain(encoded(bmp.array()))));
    assertStillServes();
  }

  @Test
  void onePixelImageIsResizedToTheInputAndExplained() {
    BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    one.setRGB(0, 0, 0xC04020);
    ExplainResponse r = explain().explain(encoded(png(one)).toBuilder().setIncludeOverlayPng(true).build());
    assertEquals(5, r.getPredictionsCount());
    assertEquals(32, r.getProbabilityMap().getHeight());
    assertEquals(32, r.getProbabilityMap().getWidth());
    assertTrue(r.getOverlayPng().size() > 8);
  }

  @Test
  void truncatedAndMislabelledImagesAreInvalidArgument() throws IOException {
    BufferedImage ship = ImageIO.read(TestData.cifarImage("ship", 808).toFile());
    byte[] png = png(ship);
    byte[] jpeg = TestData.read(TestData.cifarImage("ship", 808));

    // A PNG cut in the middle of its pixel data.
    assertStatus(Status.Code.INVALID_ARGUMENT, "PNG",
        status(() -> explain().explain(encoded(Arrays.copyOf(png, png.length / 2)))));
    // A JPEG missing its last 200 bytes (entropy-coded data ends early).
    assertStatus(Status.Code.INVALID_ARGUMENT, "JPEG",
        status(() -> explain().explain(encoded(Arrays.copyOf(jpeg, jpeg.length - 200)))));
    // JPEG bytes behind a PNG signature.
    byte[] pngHeaderJpegBody = new byte[8 + jpeg.length];
    System.arraycopy(png, 0, pngHeaderJpegBody, 0, 8);
    System.arraycopy(jpeg, 0, pngHeaderJpegBody, 8, jpeg.length);
    assertStatus(Status.Code.INVALID_ARGUMENT, "PNG", status(() -> explain().explain(encoded(pngHeaderJpegBody))));
    // A PNG whose first two bytes claim a BMP.
    byte[] bmpLabelled = png.clone();
    bmpLabelled[0] = 'B';
    bmpLabelled[1] = 'M';
    assertStatus(Status.Code.INVALID_ARGUMENT, "BMP", status(() -> explain().explain(encoded(bmpLabelled))));
    // A valid image of an unsupported format, and text.
    assertStatus(Status.Code.INVALID_ARGUMENT, "unsupported image format",
        status(() -> explain().explain(encoded(write(ship, "gif")))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "unsupported image format",
        status(() -> explain().explain(encoded("<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8)))));
    assertStillServes();
  }

  // ---------------------------------------------------------------------------- tensor inputs

  @Test
  void nanAndInfiniteTensorsAreInvalidArgumentNamingTheElement() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] values = new float[3 * 32 * 32];
      values[2 * 1024 + 5 * 32 + 7] = bad; // [c=2, y=5, x=7]
      Status s = status(() -> explain().explain(tensor(floats(values), 1, 3, 32, 32)));
      assertStatus(Status.Code.INVALID_ARGUMENT, "[2,5,7] is " + bad, s);
    }
    assertStillServes();
  }

  @Test
  void wrongTensorShapesAndSizesAreInvalidArgument() {
    byte[] one = new byte[3 * 32 * 32 * 4];
    List<Supplier<ExplainRequest>> bad = List.of(
        () -> tensor(new byte[2 * one.length], 2, 3, 32, 32), // a batch of two
        () -> tensor(one, 1, 1, 32, 32 * 3), // channels folded into the width
        () -> tensor(one, 3, 1024), // rank 2
        () -> tensor(one, 1, 1, 3, 32, 32), // rank 5
        () -> tensor(one), // no shape
        () -> tensor(one, -1, 3, 32, 32), // negative batch
        () -> tensor(one, 1, 3, -32, -32), // negative sides
        () -> tensor(new byte[0], 1, 3, 1L << 32, 1L << 32), // sizes that overflow int and long
        () -> tensor(Arrays.copyOf(one, one.length - 1), 1, 3, 32, 32), // one byte short
        () -> tensor(Arrays.copyOf(one, one.length + 4), 3, 32, 32), // one float too many
        () -> tensor(new byte[0], 1, 3, 32, 32)); // no data
    for (Supplier<ExplainRequest> request : bad) {
      ExplainRequest r = request.get();
      Status s = status(() -> explain().explain(r));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), r.getTensor().getShapeList() + ": " + s);
      assertTrue(s.getDescription().contains("tensor"), s.getDescription());
    }
    assertStillServes();
  }

  // ---------------------------------------------------------------------------- registrations

  @Test
  void bytesThatAreNotOnnxAreRejectedAndNothingIsWritten() throws Exception {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    assertStatus(Status.Code.INVALID_ARGUMENT, "not",
        rejectedRegistration(() -> ZooUploads.registerClassifier(channel, tinyMetadata("png"), png(image))));
    byte[] onnx = tinyClassifier();
    assertStatus(Status.Code.INVALID_ARGUMENT, "classifier",
        rejectedRegistration(() -> ZooUploads.registerClassifier(
            channel, tinyMetadata("truncated"), Arrays.copyOf(onnx, onnx.length / 2))));
    // A generator upload that is an image, and one that is text, onto a version without a generator.
    ZooUploads.registerClassifier(channel, tinyMetadata("nogen"), onnx);
    GeneratorMetadata nogen = GeneratorMetadata.newBuilder().setClassifier(TestData.MODEL).setVersion("nogen").build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "generator",
        rejectedRegistration(() -> ZooUploads.registerGenerator(channel, nogen, png(image))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "generator", rejectedRegistration(() -> ZooUploads.registerGenerator(
        channel, nogen, "not a generator".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void externalDataWithPathTraversalIsRejected() throws Exception {
    OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(tinyClassifier());
    OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
    g.setInitializer(0, g.getInitializer(0).toBuilder().clearFloatData()
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/passwd"))
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("length").setValue("120")));
    byte[] onnx = model.toBuilder().setGraph(g).build().toByteArray();
    Status s = rejectedRegistration(() -> ZooUploads.registerClassifier(channel, tinyMetadata("traversal"), onnx));
    assertStatus(Status.Code.INVALID_ARGUMENT, "../../etc/passwd", s);
    assertTrue(s.getDescription().contains("external"), s.getDescription());
  }

  @Test
  void customOperatorDomainIsRejected() throws Exception {
    OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(tinyClassifier());
    OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
    // A node in a custom domain that the model does not even import.
    g.setNode(0, g.getNode(0).toBuilder().setDomain("com.evil").setOpType("Exfiltrate"));
    byte[] onnx = model.toBuilder().setGraph(g).build().toByteArray();
    Status s = rejectedRegistration(() -> ZooUploads.registerClassifier(channel, tinyMetadata("custom"), onnx));
    assertStatus(Status.Code.INVALID_ARGUMENT, "com.evil", s);
  }

  @Test
  void checksumMismatchIsRejectedForClassifiersAndGenerators() throws Exception {
    byte[] onnx = tinyClassifier();
    String otherSha = sha256("something else".getBytes(StandardCharsets.UTF_8));
    assertStatus(Status.Code.INVALID_ARGUMENT, "sha256 mismatch", rejectedRegistration(
        () -> ZooUploads.registerClassifier(channel, tinyMetadata("badsha").toBuilder().setSha256(otherSha).build(), onnx)));
    // Upper-case hex of the right hash is the same checksum: accepted.
    ZooUploads.registerClassifier(channel, tinyMetadata("goodsha").toBuilder()
        .setSha256(sha256(onnx).toUpperCase(java.util.Locale.ROOT)).build(), onnx);
    assertStatus(Status.Code.INVALID_ARGUMENT, "sha256 mismatch", rejectedRegistration(
        () -> ZooUploads.registerGenerator(channel, GeneratorMetadata.newBuilder().setClassifier(TestData.MODEL)
            .setVersion("goodsha").setSha256(otherSha).build(), TestData.generatorOnnx(8))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "64 hex", rejectedRegistration(
        () -> ZooUploads.registerClassifier(channel, tinyMetadata("notsha").toBuilder().setSha256("abc").build(), onnx)));
  }

  @Test
  void hugeMetadataIsRejected() throws Exception {
    byte[] onnx = tinyClassifier();
    ClassifierMetadata m = tinyMetadata("longlabels");
    ClassifierMetadata.Builder longLabels = m.toBuilder().clearLabels();
    for (int i = 0; i < 10; i++) {
      longLabels.addLabels("label-" + i + "-" + "x".repeat(200_000));
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, "the limit is " + MetadataLimits.MAX_LABEL_CHARS,
        rejectedRegistration(() -> ZooUploads.registerClassifier(channel, longLabels.build(), onnx)));
    ClassifierMetadata.Builder manyLabels = m.toBuilder().setVersion("manylabels").clearLabels();
    for (int i = 0; i <= MetadataLimits.MAX_LABELS; i++) {
      manyLabels.addLabels("c" + i);
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, "labels",
        rejectedRegistration(() -> ZooUploads.registerClassifier(channel, manyLabels.build(), onnx)));
    String longDescription = "d".repeat(MetadataLimits.MAX_DESCRIPTION_CHARS + 1);
    assertStatus(Status.Code.INVALID_ARGUMENT, "classifier description", rejectedRegistration(
        () -> ZooUploads.registerClassifier(channel, m.toBuilder().setVersion("longdesc")
            .setDescription(longDescription).build(), onnx)));
    assertStatus(Status.Code.INVALID_ARGUMENT, "generator description", rejectedRegistration(
        () -> ZooUploads.registerGenerator(channel, GeneratorMetadata.newBuilder().setClassifier(TestData.MODEL)
            .setVersion("1").setDescription(longDescription).build(), TestData.generatorOnnx(8))));
    // Metadata inside the ONNX file: a 2 MiB doc_string and 3 MiB of metadata_props.
    OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(onnx);
    byte[] docString = model.toBuilder().setDocString("d".repeat(2 << 20)).build().toByteArray();
    assertStatus(Status.Code.INVALID_ARGUMENT, "metadata", rejectedRegistration(
        () -> ZooUploads.registerClassifier(channel, m.toBuilder().setVersion("docstring").build(), docString)));
    OnnxMl.ModelProto.Builder props = model.toBuilder();
    for (int i = 0; i < 3000; i++) {
      props.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("k" + i).setValue("v".repeat(1000)));
    }
    byte[] propsOnnx = props.build().toByteArray();
    assertStatus(Status.Code.INVALID_ARGUMENT, "3000 metadata entries", rejectedRegistration(
        () -> ZooUploads.registerClassifier(channel, m.toBuilder().setVersion("props").build(), propsOnnx)));
    assertStillServes();
  }

  @Test
  void uploadOverTheLimitIsResourceExhaustedAndNothingIsWritten() throws Exception {
    byte[] big = new byte[(int) MAX_UPLOAD + ZooUploads.CHUNK];
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, String.valueOf(MAX_UPLOAD), rejectedRegistration(
        () -> ZooUploads.registerClassifier(channel, tinyMetadata("toobig"), big)));
  }
}
