package io.maskserve.deploy.spark;

import io.maskserve.server.pipeline.ExplanationResult;
import io.maskserve.server.pipeline.ExplanationResult.Prediction;
import io.maskserve.server.pipeline.ExplanationResult.ScoredMask;
import io.maskserve.server.pipeline.Outcome;
import io.maskserve.server.sampling.PackedMask;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output table: its schema and one row per image from the pipeline's {@link Outcome}. The
 * fields are the server's {@code ExplainResponse} fields, unchanged: the mask bytes are {@link
 * PackedMask#bits()} (8 pixels a byte, most significant bit first, row-major), the same bytes as
 * {@code Mask.bits} on the wire; {@code target_probability} is the classifier's probability of the
 * target on the image masked by the deterministic mask ({@code Mask.target_probability}).
 */
public final class ResultRows {

  /** A top-5 entry. */
  public static final StructType PREDICTION = new StructType()
      .add("class_index", DataTypes.IntegerType, false)
      .add("label", DataTypes.StringType, false)
      .add("probability", DataTypes.FloatType, false);

  /** A scored Bernoulli sample. */
  public static final StructType SAMPLE = new StructType()
      .add("mask", DataTypes.BinaryType, false)
      .add("keep_fraction", DataTypes.FloatType, false)
      .add("target_probability", DataTypes.FloatType, false);

  /** The Parquet schema. Every column but {@code image_id} is null on an error row, except {@code error}. */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      DataTypes.createStructField("image_id", DataTypes.StringType, false),
      DataTypes.createStructField("model", DataTypes.StringType, true),
      DataTypes.createStructField("version", DataTypes.StringType, true),
      DataTypes.createStructField("predictions", DataTypes.createArrayType(PREDICTION, false), true),
      DataTypes.createStructField("target_class", DataTypes.IntegerType, true),
      DataTypes.createStructField("target_label", DataTypes.StringType, true),
      DataTypes.createStructField("target_original_probability", DataTypes.FloatType, true),
      DataTypes.createStructField("target_probability", DataTypes.FloatType, true),
      DataTypes.createStructField("threshold", DataTypes.FloatType, true),
      DataTypes.createStructField("keep_fraction", DataTypes.FloatType, true),
      DataTypes.createStructField("probability_map", DataTypes.createArrayType(DataTypes.FloatType, false), true),
      DataTypes.createStructField("map_height", DataTypes.IntegerType, true),
      DataTypes.createStructField("map_width", DataTypes.IntegerType, true),
      DataTypes.createStructField("mask", DataTypes.BinaryType, true),
      DataTypes.createStructField("mask_height", DataTypes.IntegerType, true),
      DataTypes.createStructField("mask_width", DataTypes.IntegerType, true),
      DataTypes.createStructField("seed", DataTypes.LongType, true),
      DataTypes.createStructField("samples", DataTypes.createArrayType(SAMPLE, false), true),
      DataTypes.createStructField("error", DataTypes.StringType, true),
  });

  private ResultRows() {}

  /** The row of one image's outcome. */
  public static Row of(String imageId, Outcome outcome) {
    return outcome.error() != null ? error(imageId, describe(outcome.error())) : success(imageId, outcome.result());
  }

  /** An error row: the image could not be read or explained. */
  public static Row error(String imageId, String message) {
    Object[] v = new Object[SCHEMA.size()];
    v[0] = imageId;
    v[SCHEMA.fieldIndex("error")] = message;
    return RowFactory.create(v);
  }

  private static Row success(String imageId, ExplanationResult r) {
    List<Row> predictions = new ArrayList<>(r.predictions().size());
    for (Prediction p : r.predictions()) {
      predictions.add(RowFactory.create(p.classIndex(), p.label(), p.probability()));
    }
    List<Row> samples = new ArrayList<>(r.samples().size());
    for (ScoredMask s : r.samples()) {
      samples.add(RowFactory.create(s.mask().bits(), s.mask().keepFraction(), s.targetProbability()));
    }
    ExplanationResult.ProbabilityMap map = r.probabilityMap();
    PackedMask mask = r.mask().mask();
    return RowFactory.create(
        imageId,
        r.model(),
        r.version(),
        seq(predictions),
        r.targetClass(),
        r.targetLabel(),
        r.targetOriginalProbability(),
        r.mask().targetProbability(),
        r.threshold(),
        mask.keepFraction(),
        boxed(map.values()),
        map.height(),
        map.width(),
        mask.bits(),
        mask.height(),
        mask.width(),
        r.seed(),
        seq(samples),
        null);
  }

  /**
   * The map as Spark's external type of an array column, a Scala {@code Seq}: an indexed view of
   * the array itself, neither copied nor boxed up front (a Java list is refused, and a copied Scala
   * list would be a linked list that the encoder indexes element by element).
   */
  private static scala.collection.immutable.Seq<Object> boxed(float[] values) {
    return scala.collection.immutable.ArraySeq.unsafeWrapArray(values);
  }

  /** A list as a Scala {@code Seq} (see {@link #boxed}). */
  private static scala.collection.immutable.Seq<Object> seq(List<?> list) {
    return scala.collection.immutable.ArraySeq.unsafeWrapArray(list.toArray());
  }

  /** The error column: the exception's type and message, e.g. why an image could not be decoded. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
