package io.maskserve.trainer.reinforce;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskserve.trainer.model.Djl;
import io.maskserve.trainer.model.GeneratorConfig;
import io.maskserve.trainer.model.DecoderConfig;
import io.maskserve.trainer.model.FeatureDecoderNet;
import io.maskserve.trainer.model.GeneratorNet;
import io.maskserve.trainer.model.MaskGenerator;
import io.maskserve.trainer.model.Tap;
import io.maskserve.zoo.fs.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A trained generator on disk: {@code DIR/generator.properties} (architecture and input size) and
 * {@code DIR/generator.params} (DJL parameters, batch-norm statistics included). Each file is
 * written to a temp file and renamed, so a crash never leaves a half-written file under its final
 * name. This is the generator alone, what {@code export} reads; the resumable state of a run
 * (step, optimiser) is {@code trainer.state}, see {@code io.maskserve.trainer.run.RunDirectory}.
 *
 * @param config the U-Net architecture (ignored when {@code decoder} is set)
 * @param decoder the feature decoder's architecture, or null for a U-Net generator
 * @param height input height
 * @param width input width
 */
public record GeneratorCheckpoint(GeneratorConfig config, DecoderConfig decoder, int height, int width) {

  /** A U-Net generator's checkpoint. */
  public GeneratorCheckpoint(GeneratorConfig config, int height, int width) {
    this(config, null, height, width);
  }

  /** Architecture file name. */
  public static final String CONFIG_FILE = "generator.properties";
  /** Parameter file name. */
  public static final String PARAMS_FILE = "generator.params";

  /** Writes {@code net} (whose architecture must be this checkpoint's) into {@code dir}. */
  public void write(Path dir, MaskGenerator net) {
    try {
      Files.createDirectories(dir);
      Properties p = new Properties();
      if (decoder != null) {
        p.setProperty("type", "decoder");
        p.setProperty("decoderWidth", Integer.toString(decoder.width()));
        p.setProperty("taps", Integer.toString(decoder.taps().size()));
        for (int i = 0; i < decoder.taps().size(); i++) {
          Tap t = decoder.taps().get(i);
          p.setProperty("tap." + i + ".tensor", t.tensor());
          p.setProperty("tap." + i + ".channels", Integer.toString(t.channels()));
          p.setProperty("tap." + i + ".height", Integer.toString(t.height()));
          p.setProperty("tap." + i + ".width", Integer.toString(t.width()));
        }
      }
      p.setProperty("baseWidth", Integer.toString(config.baseWidth()));
      p.setProperty("depth", Integer.toString(config.depth()));
      p.setProperty("blocksPerLevel", Integer.toString(config.blocksPerLevel()));
      p.setProperty("outputLevel", Integer.toString(config.outputLevel()));
      p.setProperty("smoothKernel", Integer.toString(config.smoothKernel()));
      p.setProperty("classes", Integer.toString(config.classes()));
      p.setProperty("height", Integer.toString(height));
      p.setProperty("width", Integer.toString(width));
      AtomicFiles.write(dir.resolve(CONFIG_FILE), out -> p.store(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8),
          "maskserve generator"));
      AtomicFiles.write(dir.resolve(PARAMS_FILE), out -> {
        DataOutputStream data = new DataOutputStream(out);
        net.saveParameters(data);
        data.flush();
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Reads the architecture of the checkpoint in {@code dir}. */
  public static GeneratorCheckpoint read(Path dir) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve(CONFIG_FILE))) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
    }
    GeneratorConfig c = new GeneratorConfig(i(p, "baseWidth"), i(p, "depth"), i(p, "blocksPerLevel"),
        i(p, "outputLevel"), i(p, "smoothKernel"),
        // absent in checkpoints written before class-conditional generators existed
        p.getProperty("classes") == null ? 0 : i(p, "classes"));
    DecoderConfig d = null;
    if ("decoder".equals(p.getProperty("type"))) {
      java.util.List<Tap> taps = new java.util.ArrayList<>();
      for (int k = 0; k < i(p, "taps"); k++) {
        String tensor = p.getProperty("tap." + k + ".tensor");
        if (tensor == null) {
          throw new IllegalArgumentException("checkpoint is missing 'tap." + k + ".tensor'");
        }
        taps.add(new Tap(tensor, i(p, "tap." + k + ".channels"), i(p, "tap." + k + ".height"),
            i(p, "tap." + k + ".width")));
      }
      d = new DecoderConfig(taps, i(p, "decoderWidth"), i(p, "smoothKernel"));
    }
    return new GeneratorCheckpoint(c, d, i(p, "height"), i(p, "width"));
  }

  /**
   * Loads the checkpoint's parameters into a new generator held by {@code model} (which becomes
   * its block).
   */
  public MaskGenerator load(Path dir, Model model) {
    Djl.engine();
    MaskGenerator net;
    if (decoder == null) {
      GeneratorNet g = new GeneratorNet(config);
      model.setBlock(g);
      g.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, height, width));
      net = g;
    } else {
      FeatureDecoderNet d = new FeatureDecoderNet(decoder);
      model.setBlock(d);
      d.initialize(model.getNDManager(), 1);
      net = d;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMS_FILE))))) {
      net.loadParameters(model.getNDManager(), in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(PARAMS_FILE) + ": " + e.getMessage(), e);
    } catch (MalformedModelException e) {
      throw new IllegalArgumentException("corrupt generator parameters in " + dir + ": " + e.getMessage(), e);
    }
    return net;
  }

  private static int i(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("checkpoint is missing '" + key + "'");
    }
    return Integer.parseInt(v.trim());
  }

}
