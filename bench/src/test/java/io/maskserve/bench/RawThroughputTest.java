package io.maskserve.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.server.TestData;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawThroughputTest {

  @TempDir Path zoo;

  @Test
  void runsTheThreePassesOnTheZoosModel() throws Exception {
    TestData.populate(zoo, "1", 8);
    FileSystemZooStore store = FileSystemZooStore.open(zoo, new OnnxModelValidator(OrtEnvironment.getEnvironment()));
    List<byte[]> images = List.of(TestData.read(TestData.cifarImage("cat", 800)),
        TestData.read(TestData.cifarImage("ship", 801)), TestData.read(TestData.cifarImage("dog", 802)));
    double perSecond = RawThroughput.imagesPerSecond(store, TestData.MODEL, images, 2, 1, 1, Duration.ofMillis(300));
    assertTrue(perSecond > 0, "images per second " + perSecond);
    assertThrows(IllegalArgumentException.class,
        () -> RawThroughput.imagesPerSecond(store, TestData.MODEL, images, 4, 1, 1, Duration.ofMillis(100)),
        "fewer images than one batch");
  }
}
