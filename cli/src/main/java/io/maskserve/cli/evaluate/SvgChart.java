package io.maskserve.cli.evaluate;

import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG (no scripts, no external assets): curves over an abscissa from 0 to
 * 1, probabilities from 0 to 1 on the ordinate, with axes, grid lines and a legend.
 */
final class SvgChart {

  /**
   * One curve.
   *
   * @param name the legend's text
   * @param colour a CSS colour
   * @param values the ordinates, evenly spaced over [0,1]
   * @param bold drawn thicker (the method under study)
   */
  record Series(String name, String colour, double[] values, boolean bold) {}

  private static final int WIDTH = 490;
  private static final int HEIGHT = 300;
  private static final int LEFT = 48;
  private static final int RIGHT = 160;
  private static final int TOP = 28;
  private static final int BOTTOM = 40;

  private SvgChart() {}

  /** The chart's SVG element. */
  static String render(String title, String xLabel, String yLabel, List<Series> series) {
    int pw = WIDTH - LEFT - RIGHT;
    int ph = HEIGHT - TOP - BOTTOM;
    StringBuilder b = new StringBuilder(4096);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(WIDTH)
        .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"").append(ReportHtml.esc(title)).append("\">\n");
    b.append("<title>").append(ReportHtml.esc(title)).append("</title>\n");
    b.append(text(LEFT + pw / 2.0, 16, "middle", title, "font-weight:600"));
    for (int t = 0; t <= 4; t++) {
      double v = t / 4.0;
      double y = TOP + ph * (1 - v);
      double x = LEFT + pw * v;
      b.append(line(LEFT, y, LEFT + pw, y, "#e4e4e4"));
      b.append(line(x, TOP, x, TOP + ph, "#e4e4e4"));
      b.append(text(LEFT - 6, y + 4, "end", fmt(v), ""));
      b.append(text(x, TOP + ph + 16, "middle", fmt(v), ""));
    }
    b.append(line(LEFT, TOP + ph, LEFT + pw, TOP + ph, "#444"));
    b.append(line(LEFT, TOP, LEFT, TOP + ph, "#444"));
    b.append(text(LEFT + pw / 2.0, HEIGHT - 6, "middle", xLabel, ""));
    b.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 12 %.1f)\""
        + " style=\"font-size:11px\">%s</text>%n", TOP + ph / 2.0, TOP + ph / 2.0, ReportHtml.esc(yLabel)));
    int legend = 0;
    for (Series s : series) {
      double[] v = s.values();
      if (v.length < 2) {
        continue;
      }
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < v.length; i++) {
        double x = LEFT + pw * i / (double) (v.length - 1);
        double y = TOP + ph * (1 - Math.max(0, Math.min(1, v[i])));
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      b.append("<polyline fill=\"none\" stroke=\"").append(s.colour()).append("\" stroke-width=\"")
          .append(s.bold() ? "2.5" : "1.5").append("\" points=\"").append(points.toString().strip()).append("\"/>\n");
      double ly = TOP + 8 + 16 * legend++;
      b.append(line(LEFT + pw + 10, ly, LEFT + pw + 28, ly, s.colour()));
      b.append(text(LEFT + pw + 32, ly + 4, "start", s.name(), s.bold() ? "font-weight:600" : ""));
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static String line(double x1, double y1, double x2, double y2, String colour) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n", x1, y1,
        x2, y2, colour);
  }

  private static String text(double x, double y, String anchor, String s, String style) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" style=\"font-size:11px;%s\">%s</text>%n",
        x, y, anchor, style, ReportHtml.esc(s));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
