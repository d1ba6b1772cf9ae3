package io.maskserve.deploy.spark;

import io.maskserve.server.pipeline.ExplainQuery;
import io.maskserve.server.pipeline.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * Explains one partition of {@link ImageSource} rows into {@link ResultRows}, {@code batchSize}
 * images per {@code explainBatch} call with this JVM's model ({@link ExecutorModels}). Lazy: a
 * partition is pulled one batch at a time, so it is never held in memory whole.
 *
 * <p>A bad image (undecodable, unreadable, too large) gives an error row; only a model that cannot
 * be loaded fails the task.
 */
public final class PartitionExplainer implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final ExplainSettings settings;

  /** An explainer with these settings. */
  public PartitionExplainer(ExplainSettings settings) {
    this.settings = settings;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    if (!input.hasNext()) {
      return input; // an empty partition loads no model
    }
    ExecutorModel model = ExecutorModels.get(settings.model());
    return new Iterator<>() {
      private final ArrayDeque<Row> ready = new ArrayDeque<>();

      @Override
      public boolean hasNext() {
        if (ready.isEmpty() && input.hasNext()) {
          ready.addAll(explainNext(model, input));
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }
    };
  }

  /** Explains the next (up to) {@code batchSize} rows; output rows in input order. */
  private List<Row> explainNext(ExecutorModel model, Iterator<Row> input) {
    List<String> ids = new ArrayList<>();
    List<Row> out = new ArrayList<>();
    List<ExplainQuery> queries = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    while (queries.size() < settings.batchSize() && input.hasNext()) {
      Row r = input.next();
      String id = r.getString(0);
      byte[] content;
      try {
        content = r.isNullAt(2) ? read(r.getString(1)) : (byte[]) r.get(2);
      } catch (IOException | RuntimeException e) {
        out.add(ResultRows.error(id, ResultRows.describe(e)));
        continue;
      }
      slots.add(out.size());
      out.add(null); // filled below, keeping input order
      ids.add(id);
      queries.add(settings.query(content));
    }
    if (!queries.isEmpty()) {
      List<Outcome> outcomes = model.explainBatch(queries);
      for (int i = 0; i < outcomes.size(); i++) {
        out.set(slots.get(i), ResultRows.of(ids.get(i), outcomes.get(i)));
      }
    }
    return out;
  }

  /** A table row's file, through Hadoop's file systems (local, HDFS, object stores). */
  private static byte[] read(String path) throws IOException {
    if (path == null) {
      throw new IOException("row has neither content nor path");
    }
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(new Configuration());
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }
}
