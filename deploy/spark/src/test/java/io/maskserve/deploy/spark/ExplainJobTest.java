package io.maskserve.deploy.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.maskserve.client.MaskserveClient;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.TestData;
import io.maskserve.server.runtime.Device;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.Mask;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the job in Spark's local mode on 40 images of the CIFAR-10 evaluation split (files
 * 0800–0999, 4 per class) and checks every Parquet row against what the real server answers over
 * gRPC for the same image: predictions, target, map, packed mask bytes, keep fraction, target
 * probability and samples. Half the images come as a folder tree (with a corrupt file), half as a
 * CSV table of paths (with a missing file); the bad ones must give error rows, not a failed job.
 */
class ExplainJobTest {

  private static final String[] CLASSES = {
      "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  /** Evaluation-split files read from the folder tree and from the table. */
  private static final int[] FOLDER_FILES = {800, 933};
  private static final int[] TABLE_FILES = {866, 999};
  private static final int SAMPLES = 2;
  private static final long SEED = 7;
  private static final float EPS = 1e-6f;

  @TempDir static Path tmp;
  static Path zoo;
  static SparkSession spark;

  @BeforeAll
  static void setUp() throws Exception {
    zoo = tmp.resolve("zoo");
    SparkJobZoo.populate(zoo);
    spark = SparkSession.builder()
        .master("local[2]")
        .appName("maskserve-explain-test")
        .config("spark.ui.enabled", "false")
        // Everything stays on the loopback interface (the driver would otherwise bind to eth0).
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
    ExecutorModels.closeAll();
  }

  private static ExplainSettings settings() {
    return new ExplainSettings(
        new ModelRef(zoo.toString(), SparkJobZoo.MODEL, SparkJobZoo.VERSION, Device.CPU, 1),
        8, null, SAMPLES, SEED);
  }

  @Test
  void parquetRowsEqualTheServersResponses() throws Exception {
    // The folder tree: <class>/<file>.jpg copied from the evaluation split, plus a corrupt JPEG.
    Path folder = tmp.resolve("images");
    Map<String, Path> expectedFiles = new HashMap<>();
    for (String c : CLASSES) {
      Files.createDirectories(folder.resolve(c));
      for (int i : FOLDER_FILES) {
        Path target = folder.resolve(c).resolve(String.format("%04d.jpg", i));
        Files.copy(TestData.cifarImage(c, i), target);
        expectedFiles.put(c + "/" + target.getFileName(), target);
      }
    }
    Files.write(folder.resolve("truck/corrupt.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, 4});

    // The table: absolute paths into the shared evaluation split, plus a file that does not exist.
    List<String> csv = new ArrayList<>(List.of("path"));
    for (String c : CLASSES) {
      for (int i : TABLE_FILES) {
        Path p = TestData.cifarImage(c, i);
        csv.add(p.toString());
        expectedFiles.put(p.toString(), p);
      }
    }
    String missing = tmp.resolve("no-such-image.jpg").toString();
    csv.add(missing);
    Path table = tmp.resolve("images.csv");
    Files.write(table, csv);

    Path folderOut = tmp.resolve("folder.parquet");
    JobSummary fromFolder = ExplainJob.run(
        spark, settings(), folder.toString(), null, null, 3, folderOut.toString(), false);
    assertEquals(21, fromFolder.images());
    assertEquals(1, fromFolder.errors());
    Path tableOut = tmp.resolve("table.parquet");
    JobSummary fromTable = ExplainJob.run(spark, settings(), table.toString(), null, null, 0, tableOut.toString(), false);
    assertEquals(21, fromTable.images());
    assertEquals(1, fromTable.errors());

    Map<String, Row> rows = new HashMap<>();
    for (Path out : List.of(folderOut, tableOut)) {
      for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
        assertNull(rows.put(r.getAs("image_id"), r), "one row per image");
      }
    }
    assertErrorRow(rows.remove("truck/corrupt.jpg"));
    assertErrorRow(rows.remove(missing));
    assertEquals(expectedFiles.keySet(), rows.keySet(), "image ids: paths relative to the folder root, or the table's paths");

    assertBytesTableGivesTheSameRows(rows);

    try (MaskserveServer server = MaskserveServer.start(ServerConfig.builder().zoo(zoo).port(0).bindAddress("127.0.0.1").build());
        MaskserveClient client = MaskserveClient.forTarget("127.0.0.1:" + server.port()).usePlaintext().build()) {
      for (Map.Entry<String, Path> e : expectedFiles.entrySet()) {
        ExplainResponse expected = client.explain(ExplainRequest.newBuilder()
            .setModel(SparkJobZoo.MODEL)
            .setVersion(SparkJobZoo.VERSION)
            .setEncoded(ByteString.copyFrom(Files.readAllBytes(e.getValue())))
            .setNumSamples(SAMPLES)
            .setSeed(SEED)
            .build());
        assertRowEquals(expected, rows.get(e.getKey()), e.getKey());
      }
    }
  }

  /**
   * A Parquet table of {@code (image_id, content)}: the same images as bytes give the same rows as
   * from the folder, and bytes that are no image give an error row.
   */
  private static void assertBytesTableGivesTheSameRows(Map<String, Row> fromFolder) throws Exception {
    List<String> ids = List.of("cat/0800.jpg", "ship/0933.jpg", "truck/0800.jpg");
    List<Row> table = new ArrayList<>();
    for (String id : ids) {
      table.add(org.apache.spark.sql.RowFactory.create(id, Files.readAllBytes(tmp.resolve("images").resolve(id))));
    }
    table.add(org.apache.spark.sql.RowFactory.create("garbage", new byte[] {'n', 'o', 't'}));
    var schema = new org.apache.spark.sql.types.StructType()
        .add("image_id", org.apache.spark.sql.types.DataTypes.StringType)
        .add("content", org.apache.spark.sql.types.DataTypes.BinaryType);
    Path input = tmp.resolve("bytes.parquet");
    spark.createDataFrame(table, schema).write().parquet(input.toString());
    Path out = tmp.resolve("bytes-out.parquet");
    JobSummary s = ExplainJob.run(spark, settings(), input.toString(), null, null, 0, out.toString(), false);
    assertEquals(4, s.images());
    assertEquals(1, s.errors());
    for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
      String id = r.getAs("image_id");
      if (id.equals("garbage")) {
        assertErrorRow(r);
        continue;
      }
      Row expected = fromFolder.get(id);
      assertArrayEquals((byte[]) expected.getAs("mask"), (byte[]) r.getAs("mask"), id);
      List<Float> map = r.getList(r.fieldIndex("probability_map"));
      List<Float> expectedMap = expected.getList(expected.fieldIndex("probability_map"));
      assertEquals(expectedMap.size(), map.size(), id);
      for (int i = 0; i < map.size(); i++) {
        assertEquals(expectedMap.get(i), map.get(i), EPS, id + " map value " + i);
      }
      List<Row> top = r.getList(r.fieldIndex("predictions"));
      List<Row> expectedTop = expected.getList(expected.fieldIndex("predictions"));
      for (int i = 0; i < top.size(); i++) {
        assertEquals(expectedTop.get(i).getInt(0), top.get(i).getInt(0), id);
        assertEquals(expectedTop.get(i).getFloat(2), top.get(i).getFloat(2), EPS, id);
      }
      assertEquals((float) expected.getAs("target_probability"), (float) r.getAs("target_probability"), EPS, id);
    }
  }

  private static void assertErrorRow(Row r) {
    assertNotNull(r, "a bad image still has its row");
    String error = r.getAs("error");
    assertNotNull(error, "error column set");
    assertTrue(!error.isBlank());
    assertTrue(r.isNullAt(r.fieldIndex("mask")) && r.isNullAt(r.fieldIndex("predictions")), "no explanation");
  }

  private static void assertRowEquals(ExplainResponse expected, Row row, String id) {
    assertNotNull(row, id);
    assertNull(row.getAs("error"), id);
    assertEquals(expected.getModel(), row.getAs("model"), id);
    assertEquals(expected.getVersion(), row.getAs("version"), id);

    List<Row> predictions = row.getList(row.fieldIndex("predictions"));
    assertEquals(5, predictions.size(), id);
    assertEquals(expected.getPredictionsCount(), predictions.size(), id);
    for (int i = 0; i < predictions.size(); i++) {
      var p = expected.getPredictions(i);
      Row got = predictions.get(i);
      assertEquals(p.getClassIndex(), got.getInt(0), id + " prediction " + i);
      assertEquals(p.getLabel(), got.getString(1), id + " prediction " + i);
      assertEquals(p.getProbability(), got.getFloat(2), EPS, id + " prediction " + i);
    }
    assertEquals(expected.getTargetClass(), (int) row.getAs("target_class"), id);
    assertEquals(expected.getTargetLabel(), row.getAs("target_label"), id);
    assertEquals(expected.getTargetOriginalProbability(), (float) row.getAs("target_original_probability"), EPS, id);
    assertEquals(expected.getThreshold(), (float) row.getAs("threshold"), id);
    assertEquals(SparkJobZoo.THRESHOLD, (float) row.getAs("threshold"), id);
    assertEquals(expected.getSeed(), (long) row.getAs("seed"), id);

    // The probability map.
    var map = expected.getProbabilityMap();
    assertEquals(map.getHeight(), (int) row.getAs("map_height"), id);
    assertEquals(map.getWidth(), (int) row.getAs("map_width"), id);
    ByteBuffer data = map.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    List<Float> values = row.getList(row.fieldIndex("probability_map"));
    assertEquals(map.getHeight() * map.getWidth(), values.size(), id);
    for (int i = 0; i < values.size(); i++) {
      assertEquals(data.getFloat(4 * i), values.get(i), EPS, id + " map value " + i);
    }

    // The deterministic mask, packed as on the wire, and its score.
    Mask mask = expected.getMask();
    assertArrayEquals(mask.getBits().toByteArray(), (byte[]) row.getAs("mask"), id + " mask bits");
    assertEquals(mask.getHeight(), (int) row.getAs("mask_height"), id);
    assertEquals(mask.getWidth(), (int) row.getAs("mask_width"), id);
    assertEquals(mask.getKeepFraction(), (float) row.getAs("keep_fraction"), id);
    assertEquals(mask.getTargetProbability(), (float) row.getAs("target_probability"), EPS, id);

    List<Row> samples = row.getList(row.fieldIndex("samples"));
    assertEquals(SAMPLES, samples.size(), id);
    for (int i = 0; i < SAMPLES; i++) {
      Mask s = expected.getSamples(i);
      assertArrayEquals(s.getBits().toByteArray(), (byte[]) samples.get(i).get(0), id + " sample " + i);
      assertEquals(s.getKeepFraction(), samples.get(i).getFloat(1), id + " sample " + i);
      assertEquals(s.getTargetProbability(), samples.get(i).getFloat(2), EPS, id + " sample " + i);
    }
  }
}
