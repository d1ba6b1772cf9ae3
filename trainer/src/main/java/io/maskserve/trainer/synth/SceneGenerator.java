package io.maskserve.trainer.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws synthetic scenes with known ground truth: one target object whose shape is the class, at a
 * random position, size, rotation (triangles and crosses) and colour, among distractors (small blobs and thin stripes) on
 * a random background (flat or a two-colour gradient).
 *
 * <p>Scene {@code i} of a generator depends only on the seed and {@code i}, so sets are
 * reproducible and can be generated in any order or in parallel. Drawing is without antialiasing
 * so the object mask is exact. Distractors are drawn first and the object last, on top, from the
 * mask itself: every pixel of the mask shows the object.
 */
public final class SceneGenerator {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final SceneConfig config;
  private final long seed;

  /**
   * @param config drawing parameters
   * @param seed seed of the whole set
   */
  public SceneGenerator(SceneConfig config, long seed) {
    this.config = Objects.requireNonNull(config, "config");
    this.seed = seed;
  }

  /** The drawing parameters. */
  public SceneConfig config() {
    return config;
  }

  /** Scene {@code index}, its class chosen uniformly at random. */
  public Scene scene(long index) {
    SplittableRandom r = random(index);
    ShapeClass[] classes = ShapeClass.values();
    return draw(classes[r.nextInt(classes.length)], r);
  }

  /** Scene {@code index} with class {@code shape} (for class-balanced sets). */
  public Scene scene(long index, ShapeClass shape) {
    return draw(Objects.requireNonNull(shape, "shape"), random(index));
  }

  private SplittableRandom random(long index) {
    // Mixed so neighbouring indices and seeds give unrelated streams.
    return new SplittableRandom(new SplittableRandom(seed * GOLDEN + index).nextLong() ^ index);
  }

  /**
   * Pair scene {@code index}: two objects of different classes, the first of class {@code index
   * mod C} (for class-balanced sets), the second drawn at random, apart from each other, among the
   * same distractors. The ground truth of a class-conditional explanation: asked for either class,
   * it should keep that class's object. Pair scenes use other random streams than {@link
   * #scene(long, ShapeClass)}.
   */
  public PairScene pair(long index) {
    SplittableRandom r = random(-1 - index);
    ShapeClass[] classes = ShapeClass.values();
    ShapeClass first = classes[(int) Math.floorMod(index, (long) classes.length)];
    ShapeClass second = classes[(first.ordinal() + 1 + r.nextInt(classes.length - 1)) % classes.length];
    Canvas canvas = background(r);
    // Both objects from the smaller half of the size range, placed by rejection: two large objects
    // do not always fit apart in a small scene.
    int maxSide = (config.minObject() + config.maxObject()) / 2;
    for (int attempt = 0; attempt < 1000; attempt++) {
      Placement a = place(first, r, maxSide);
      Placement b = null;
      for (int t = 0; t < 20 && b == null; t++) {
        Placement candidate = place(second, r, maxSide);
        b = candidate.apart(a) ? candidate : null;
      }
      if (b != null) {
        Color fgA = contrasting(canvas.bg(), r);
        Color fgB = contrasting(canvas.bg(), r);
        boolean[] maskA = paint(canvas.image(), a.outline(), fgA);
        boolean[] maskB = paint(canvas.image(), b.outline(), fgB);
        return new PairScene(canvas.image(), first, maskA, second, maskB);
      }
    }
    throw new IllegalStateException("cannot place two objects apart in a " + config.size() + "px scene");
  }

  private Scene draw(ShapeClass shape, SplittableRandom r) {
    // The order of the random draws is part of the set's definition (seeded sets must not change).
    Canvas canvas = background(r);
    Placement p = place(shape, r, config.maxObject());
    Color fg = contrasting(canvas.bg(), r);
    return new Scene(canvas.image(), paint(canvas.image(), p.outline(), fg), shape);
  }

  private record Canvas(BufferedImage image, Color bg) {}

  /** An object's outline and the half-extent of a square around it (rotation included). */
  private record Placement(Shape outline, double cx, double cy, double reach) {

    boolean apart(Placement o) {
      double gap = reach + o.reach + 2;
      return Math.abs(cx - o.cx) > gap || Math.abs(cy - o.cy) > gap;
    }
  }

  /** Background (flat or a gradient) and the distractors. */
  private Canvas background(SplittableRandom r) {
    int n = config.size();
    BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    Color bg = randomColor(r);
    if (r.nextBoolean()) {
      g.setPaint(bg);
      g.fillRect(0, 0, n, n);
    } else {
      Color bg2 = near(bg, r);
      g.setPaint(new java.awt.GradientPaint(0, 0, bg, r.nextInt(n) + 1, n, bg2));
      g.fillRect(0, 0, n, n);
    }
    int distractors = r.nextInt(config.maxDistractors() + 1);
    for (int i = 0; i < distractors; i++) {
      g.setColor(randomColor(r));
      if (r.nextBoolean()) {
        // Small blob: too small to be mistaken for a target object.
        int d = 2 + r.nextInt(Math.max(2, config.minObject() / 3));
        g.fill(new Ellipse2D.Double(r.nextInt(n), r.nextInt(n), d, d * (0.6 + 0.8 * r.nextDouble())));
      } else {
        // Thin stripe across part of the image.
        g.setStroke(new BasicStroke(1 + r.nextInt(2)));
        g.drawLine(r.nextInt(n), r.nextInt(n), r.nextInt(n), r.nextInt(n));
      }
    }
    g.dispose();
    return new Canvas(img, bg);
  }

  /** Size (at most {@code maxSide}), position and rotation of an object. */
  private Placement place(ShapeClass shape, SplittableRandom r, int maxSide) {
    int n = config.size();
    int side = config.minObject() + r.nextInt(maxSide - config.minObject() + 1);
    double cx = side / 2.0 + 1 + r.nextDouble() * (n - side - 2);
    double cy = side / 2.0 + 1 + r.nextDouble() * (n - side - 2);
    // Squares stay axis-aligned: a rotated 12 px square rasterises too close to a disc.
    double angle = shape == ShapeClass.TRIANGLE || shape == ShapeClass.CROSS
        ? Math.toRadians(r.nextDouble() * 40 - 20) : 0;
    // A square of side s rotated by at most 20° reaches s/2·(cos 20° + sin 20°) < 0.65·s.
    return new Placement(outline(shape, side, cx, cy, angle), cx, cy, 0.65 * side);
  }

  /**
   * Rasterises {@code object} once, into a mask, and sets the scene's pixels from the mask:
   * filling the shape on two surfaces separately disagreed on a few edge pixels.
   */
  private static boolean[] paint(BufferedImage img, Shape object, Color fg) {
    int n = img.getWidth();
    BufferedImage m = new BufferedImage(n, img.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D mg = m.createGraphics();
    mg.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    mg.setColor(Color.WHITE);
    mg.fill(object);
    mg.dispose();
    boolean[] mask = new boolean[n * img.getHeight()];
    int rgb = fg.getRGB();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < n; x++) {
        if ((m.getRGB(x, y) & 0xFF) > 127) {
          mask[y * n + x] = true;
          img.setRGB(x, y, rgb);
        }
      }
    }
    return mask;
  }

  private static Shape outline(ShapeClass shape, int side, double cx, double cy, double angle) {
    double h = side / 2.0;
    Shape s =
        switch (shape) {
          case CIRCLE -> new Ellipse2D.Double(-h, -h, side, side);
          case SQUARE -> new Rectangle2D.Double(-h, -h, side, side);
          case TRIANGLE -> {
            Polygon p = new Polygon();
            p.addPoint(0, (int) Math.round(-h));
            p.addPoint((int) Math.round(h), (int) Math.round(h * 0.8));
            p.addPoint((int) Math.round(-h), (int) Math.round(h * 0.8));
            yield p;
          }
          case CROSS -> {
            double t = Math.max(2, side / 3.5);
            Area a = new Area(new Rectangle2D.Double(-h, -t / 2, side, t));
            a.add(new Area(new Rectangle2D.Double(-t / 2, -h, t, side)));
            yield a;
          }
          case RING -> {
            double inner = Math.max(1.5, h * 0.5);
            Area a = new Area(new Ellipse2D.Double(-h, -h, side, side));
            a.subtract(new Area(new Ellipse2D.Double(-inner, -inner, 2 * inner, 2 * inner)));
            yield a;
          }
        };
    AffineTransform t = new AffineTransform();
    t.translate(cx, cy);
    t.rotate(angle);
    return t.createTransformedShape(s);
  }

  private static Color randomColor(SplittableRandom r) {
    return new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
  }

  private static Color near(Color c, SplittableRandom r) {
    return new Color(clamp(c.getRed() + r.nextInt(81) - 40), clamp(c.getGreen() + r.nextInt(81) - 40),
        clamp(c.getBlue() + r.nextInt(81) - 40));
  }

  /** A random colour far enough from {@code bg} that the object is always visible. */
  private static Color contrasting(Color bg, SplittableRandom r) {
    for (int attempt = 0; attempt < 64; attempt++) {
      Color c = randomColor(r);
      int d = Math.abs(c.getRed() - bg.getRed()) + Math.abs(c.getGreen() - bg.getGreen())
          + Math.abs(c.getBlue() - bg.getBlue());
      if (d >= 200) {
        return c;
      }
    }
    int lum = bg.getRed() + bg.getGreen() + bg.getBlue();
    return lum > 384 ? Color.BLACK : Color.WHITE;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
