package io.maskserve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.cli.CliTest.Run;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maskserve zoo ... --zoo s3://...}: the options reach the store. (The store itself is
 * tested against a real S3-protocol server in model-zoo and server; s3proxy's jclouds needs a newer
 * Gson than the one the trainer's DJL brings onto this module's classpath.)
 */
class S3ZooCliTest {

  @Test
  void s3OptionsNeedAnS3Zoo(@TempDir Path dir) {
    Run r = CliTest.run("zoo", "list", "--zoo", dir.resolve("z").toString(), "--s3-region", "eu-west-1");
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().contains("need --zoo s3://BUCKET[/PREFIX]"), r.err());
    r = CliTest.run("zoo", "list", "--server", "127.0.0.1:1", "--s3-endpoint", "http://127.0.0.1:9000");
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().contains("apply only with --zoo s3://"), r.err());
  }

  @Test
  void anUnreachableS3ZooIsOneClearLine(@TempDir Path dir) {
    // Credentials from system properties, first in the AWS default chain: the SDK then never looks
    // further (instance metadata is off the loopback, where tests must not send anything).
    Map<String, String> props = Map.of("aws.accessKeyId", "test-key", "aws.secretAccessKey", "test-secret",
        "aws.disableEc2Metadata", "true");
    Map<String, String> old = new HashMap<>();
    props.forEach((k, v) -> {
      old.put(k, System.getProperty(k));
      System.setProperty(k, v);
    });
    try {
      // Nothing listens on port 1: the store cannot reach the bucket.
      Run r = CliTest.run("zoo", "list", "--zoo", "s3://maskserve-none/p", "--s3-endpoint", "http://127.0.0.1:1",
          "--s3-cache-dir", dir.resolve("cache").toString());
      assertEquals(1, r.exit(), r.err());
      assertEquals(1, CliTest.lines(r.err()).size(), r.err());
      assertTrue(r.err().startsWith("maskserve zoo list: INTERNAL: opening the model zoo"), r.err());
    } finally {
      old.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }
}
