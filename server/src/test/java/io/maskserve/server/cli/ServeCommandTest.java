package io.maskserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.ServerConfig;
import io.maskserve.server.runtime.Device;
import io.maskserve.zoo.ZooLocation;
import io.maskserve.zoo.s3.S3ZooOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

  private static ServerConfig parse(String... args) {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.config();
  }

  @Test
  void defaults() {
    ServerConfig c = parse("--zoo", "/tmp/z");
    assertEquals(new ZooLocation.Directory(Paths.get("/tmp/z")), c.zoo());
    assertEquals(50051, c.port());
    assertEquals(Device.CPU, c.device());
    assertEquals(Duration.ofSeconds(2), c.refreshInterval());
    assertEquals(64, c.limits().maxSamples());
    assertEquals(32 << 20, c.limits().maxInboundMessageBytes());
    assertEquals(8000, c.limits().maxRiseMasks());
    assertEquals(200, c.limits().maxSmoothGradSamples());
    assertEquals(300, c.limits().maxIgSteps());
    assertEquals(10_000, c.limits().maxOcclusionWindows());
    assertEquals(64, c.limits().maxCallsPerClient());
    assertTrue(c.bindsAllInterfaces());
  }

  @Test
  void everyOption() {
    ServerConfig c = parse(
        "--zoo", "z", "--port", "0", "--device", "CUDA", "--intra-op-threads", "2", "--inter-op-threads", "3",
        "--max-samples", "8", "--max-message-bytes", "1048576", "--max-image-pixels", "4096",
        "--max-concurrent-streams", "7", "--max-queue", "5", "--refresh-interval", "250ms", "--workers", "3",
        "--shutdown-grace", "PT1S", "--max-rise-masks", "100", "--max-smoothgrad-samples", "10",
        "--max-ig-steps", "20", "--max-occlusion-windows", "30", "--bind", "127.0.0.1",
        "--max-calls-per-client", "9");
    assertEquals(0, c.port());
    assertEquals("127.0.0.1", c.bindAddress());
    assertFalse(c.bindsAllInterfaces());
    assertEquals(Device.CUDA, c.device());
    assertEquals(2, c.intraOpThreads());
    assertEquals(3, c.interOpThreads());
    assertEquals(3, c.workerThreads());
    assertEquals(8, c.limits().maxSamples());
    assertEquals(1048576, c.limits().maxInboundMessageBytes());
    assertEquals(1048576, c.limits().maxEncodedBytes());
    assertEquals(4096, c.limits().maxImagePixels());
    assertEquals(7, c.limits().maxConcurrentStreams());
    assertEquals(5, c.limits().maxQueue());
    assertEquals(Duration.ofMillis(250), c.refreshInterval());
    assertEquals(Duration.ofSeconds(1), c.shutdownGrace());
    assertEquals(100, c.limits().maxRiseMasks());
    assertEquals(10, c.limits().maxSmoothGradSamples());
    assertEquals(20, c.limits().maxIgSteps());
    assertEquals(30, c.limits().maxOcclusionWindows());
    assertEquals(9, c.limits().maxCallsPerClient());
    assertEquals(0, parse("--zoo", "z", "--max-calls-per-client", "0").limits().maxCallsPerClient(), "0 = unlimited");
  }

  @Test
  void badValuesAreUsageErrors() {
    CommandLine cl = new CommandLine(new ServeCommand());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertNotEquals(0, cl.execute("--zoo", "z", "--device", "tpu"));
    assertNotEquals(0, new CommandLine(new ServeCommand()).setErr(new PrintWriter(new StringWriter()))
        .execute("--port", "1"));
    assertNotEquals(0, new CommandLine(new ServeCommand()).setErr(new PrintWriter(new StringWriter()))
        .execute("--zoo", "z", "--refresh-interval", "soon"));
    assertNotEquals(0, new CommandLine(new ServeCommand()).setErr(new PrintWriter(new StringWriter()))
        .execute("--zoo", "z", "--max-rise-masks", "0"));
    assertNotEquals(0, new CommandLine(new ServeCommand()).setErr(new PrintWriter(new StringWriter()))
        .execute("--zoo", "z", "--max-calls-per-client", "-1"));
  }

  @Test
  void busyPortIsOneClearError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path zoo) throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0)) {
      StringWriter err = new StringWriter();
      int code = new CommandLine(new ServeCommand()).setErr(new PrintWriter(err, true))
          .execute("--zoo", zoo.toString(), "--port", String.valueOf(busy.getLocalPort()));
      assertEquals(1, code);
      org.junit.jupiter.api.Assertions.assertTrue(
          err.toString().startsWith("maskserve serve: could not listen on port " + busy.getLocalPort()), err.toString());
    }
  }

  @Test
  void anS3ZooTakesTheS3Options() {
    ServerConfig c = parse("--zoo", "s3://models/prod", "--s3-endpoint", "http://127.0.0.1:9000", "--s3-region",
        "eu-west-1", "--s3-cache-dir", "/tmp/cache");
    S3ZooOptions o = ((ZooLocation.S3) c.zoo()).options();
    assertEquals("models", o.bucket());
    assertEquals("prod/", o.prefix());
    assertEquals(URI.create("http://127.0.0.1:9000"), o.endpoint());
    assertTrue(o.pathStyle());
    assertEquals("eu-west-1", o.region());
    assertEquals(Paths.get("/tmp/cache"), o.effectiveCacheDir());
    assertEquals("s3://models/prod/", c.zoo().toString());
  }

  @Test
  void s3OptionsNeedAnS3Zoo() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> parse("--zoo", "/tmp/z", "--s3-endpoint", "http://127.0.0.1:9000"));
    assertTrue(e.getMessage().contains("s3://"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> parse("--zoo", "s3://models", "--s3-endpoint", "ftp://host"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> parse("--zoo", "s3://B"));
  }
}
