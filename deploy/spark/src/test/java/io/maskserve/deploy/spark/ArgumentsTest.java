package io.maskserve.deploy.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maskserve.server.runtime.Device;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The job's arguments and input layout rules, without Spark. */
class ArgumentsTest {

  @Test
  void modelIsNameOrNameColonVersion() {
    ModelRef latest = ModelRef.parse("/zoo", "resnet20", Device.CPU, 1);
    assertEquals("resnet20", latest.model());
    assertEquals("", latest.version());
    ModelRef pinned = ModelRef.parse("/zoo", "resnet20:2", Device.CPU, 1);
    assertEquals("resnet20", pinned.model());
    assertEquals("2", pinned.version());
    assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("/zoo", ":2", Device.CPU, 1));
  }

  @Test
  void commandLineBecomesSettings() {
    ExplainJob job = new ExplainJob();
    new CommandLine(job).parseArgs(
        "--zoo", "/z", "--model", "m:3", "--input", "/in", "--output", "/out",
        "--batch", "32", "--threshold", "0.4", "--samples", "4", "--sample-seed", "9");
    ExplainSettings s = job.settings();
    assertEquals(new ModelRef("/z", "m", "3", Device.CPU, 1), s.model());
    assertEquals(32, s.batchSize());
    assertEquals(0.4f, s.threshold());
    assertEquals(4, s.numSamples());
    assertEquals(9L, s.sampleSeed());
    assertEquals(9L, s.query(new byte[] {1}).seed().getAsLong());
    assertThrows(IllegalArgumentException.class, () -> new ExplainSettings(s.model(), 0, null, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new ExplainSettings(s.model(), 1, 1.5f, 0, 0));
  }

  @Test
  void inputFormatFollowsTheExtension() {
    assertEquals(ImageSource.Format.PARQUET, ImageSource.Format.guess("/data/paths.parquet/"));
    assertEquals(ImageSource.Format.CSV, ImageSource.Format.guess("s3a://b/list.CSV"));
    assertEquals(ImageSource.Format.FOLDER, ImageSource.Format.guess("/data/cifar10-test"));
  }

  @Test
  void imageIdIsThePathBelowTheRoot() {
    assertEquals("cat/0800.jpg", ImageSource.relativeId("/data/cifar/", "file:/data/cifar/cat/0800.jpg"));
    assertEquals("a b/c.png", ImageSource.relativeId("/data/", "file:/data/a b/c.png"));
    assertEquals("/elsewhere/x.jpg", ImageSource.relativeId("/data/", "file:/elsewhere/x.jpg"));
  }
}
