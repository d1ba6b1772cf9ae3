package io.maskserve.cli;

import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ResizeMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Human-readable renderings of {@link ModelInfo}. */
final class ModelInfoFormat {

  private ModelInfoFormat() {}

  static String resize(ResizeMode m) {
    return m == ResizeMode.RESIZE_SHORTER_CENTER_CROP ? "shorter-center-crop" : "resize";
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  static String generator(ModelInfo m) {
    if (!m.hasGenerator()) {
      return "-";
    }
    return m.getGenerator().getOutputHeight() + "x" + m.getGenerator().getOutputWidth()
        + String.format(Locale.ROOT, " threshold %.2f", m.getGenerator().getThreshold())
        + (m.getGenerator().getClassConditional() ? " class-conditional" : "")
        + (m.getGenerator().getFeaturesCount() > 0 ? " decodes " + m.getGenerator().getFeaturesCount()
            + " classifier tensor(s)" + (m.getGenerator().getReadsImage() ? " and the image" : "") : "");
  }

  /** Column-aligned table of versions, with a header. */
  static List<String> table(List<ModelInfo> models) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "VERSION", "INPUT", "RESIZE", "CLASSES", "CLASSIFIER", "GENERATOR", "CREATED"});
    for (ModelInfo m : models) {
      rows.add(
          new String[] {
            m.getName(),
            m.getVersion(),
            m.getInputHeight() + "x" + m.getInputWidth(),
            resize(m.getResizeMode()),
            Integer.toString(m.getLabelsCount()),
            m.getClassifier().getSha256().substring(0, Math.min(12, m.getClassifier().getSha256().length()))
                + " " + size(m.getClassifier().getSizeBytes()),
            generator(m),
            m.getCreated()
          });
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          sb.append(" ".repeat(widths[i] - r[i].length() + 2));
        }
      }
      lines.add(sb.toString().stripTrailing());
    }
    return lines;
  }
}
