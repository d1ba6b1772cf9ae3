package io.maskserve.deploy.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the images to explain as rows {@code (image_id, path, content)}:
 *
 * <ul>
 *   <li>a folder tree: every file below the root (optionally only names matching a glob), through
 *       Spark's {@code binaryFile} source, recursively; {@code image_id} is the path relative to the
 *       root ({@code airplane/0800.jpg});
 *   <li>a Parquet or CSV table with a {@code path} column (string) and/or a {@code content} column
 *       (binary; Parquet only), and optionally an {@code image_id} column (else the path is the id).
 *       A row without content is read from its path by the executor, so a missing file becomes an
 *       error row rather than a failed job.
 * </ul>
 */
public final class ImageSource {

  /** The input rows' schema. */
  public static final StructType SCHEMA = new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("path", DataTypes.StringType, true)
      .add("content", DataTypes.BinaryType, true);

  /** How the input is laid out. */
  public enum Format {
    /** A folder tree of image files. */
    FOLDER,
    /** A Parquet table. */
    PARQUET,
    /** A CSV table with a header line. */
    CSV;

    /** {@code PARQUET} for a {@code .parquet} path, {@code CSV} for {@code .csv}, else {@code FOLDER}. */
    public static Format guess(String input) {
      String lower = input.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
      if (lower.endsWith(".parquet")) {
        return PARQUET;
      }
      return lower.endsWith(".csv") ? CSV : FOLDER;
    }
  }

  private ImageSource() {}

  /**
   * The images at {@code input}.
   *
   * @param glob for a folder: only files whose name matches (Hadoop glob, e.g. {@code
   *     {08,09}??.jpg}); null for every file
   */
  public static Dataset<Row> read(SparkSession spark, String input, Format format, String glob) {
    return switch (format) {
      case FOLDER -> folder(spark, input, glob);
      case PARQUET -> table(spark.read().parquet(input));
      case CSV -> table(spark.read().option("header", "true").csv(input));
    };
  }

  private static Dataset<Row> folder(SparkSession spark, String root, String glob) {
    var reader = spark.read().format("binaryFile").option("recursiveFileLookup", "true");
    if (glob != null && !glob.isBlank()) {
      reader = reader.option("pathGlobFilter", glob);
    }
    String rootPath = qualifiedPath(spark, root);
    MapFunction<Row, Row> withId = r -> {
      String path = r.getString(0);
      return RowFactory.create(relativeId(rootPath, path), path, r.get(1));
    };
    return reader.load(root).select("path", "content").map(withId, Encoders.row(SCHEMA));
  }

  private static Dataset<Row> table(Dataset<Row> t) {
    var columns = Arrays.asList(t.columns());
    boolean hasPath = columns.contains("path");
    boolean hasContent = columns.contains("content");
    boolean hasId = columns.contains("image_id");
    if (!hasPath && !hasContent) {
      throw new IllegalArgumentException("an input table needs a 'path' or a 'content' column, has " + columns);
    }
    if (!hasPath && !hasId) {
      throw new IllegalArgumentException("an input table with content but no 'path' needs an 'image_id' column");
    }
    MapFunction<Row, Row> normalise = r -> {
      String path = hasPath ? r.getAs("path") : null;
      Object id = hasId ? r.getAs("image_id") : path;
      return RowFactory.create(String.valueOf(id), path, hasContent ? r.getAs("content") : null);
    };
    return t.map(normalise, Encoders.row(SCHEMA));
  }

  /** The root's path component as the file source reports paths ({@code /data/cifar/}). */
  private static String qualifiedPath(SparkSession spark, String root) {
    Path p = new Path(root);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      String path = fs.makeQualified(p).toUri().getPath();
      return path.endsWith("/") ? path : path + "/";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve input " + root, e);
    }
  }

  /** {@code path} relative to {@code rootPath}, or the whole path when it is not below the root. */
  static String relativeId(String rootPath, String path) {
    String p = new Path(path).toUri().getPath();
    return p.startsWith(rootPath) ? p.substring(rootPath.length()) : p;
  }
}
