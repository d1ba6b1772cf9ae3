package io.maskserve.zoo.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ZooLocation;
import java.net.URI;
import java.nio.file.Paths;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3ZooOptionsTest {

  @Test
  void parsesBucketAndPrefix() {
    S3ZooOptions o = S3ZooOptions.parse("s3://my-bucket/team/zoo");
    assertEquals("my-bucket", o.bucket());
    assertEquals("team/zoo/", o.prefix());
    assertNull(o.endpoint());
    assertFalse(o.pathStyle());
    assertEquals("", S3ZooOptions.parse("s3://my-bucket").prefix());
    assertEquals("", S3ZooOptions.parse("s3://my-bucket/").prefix());
    assertEquals("s3://my-bucket/team/zoo/", o.toString());
  }

  @Test
  void anEndpointMeansPathStyle() {
    S3ZooOptions o = S3ZooOptions.parse("s3://b12/x").withEndpoint(URI.create("http://127.0.0.1:9000"));
    assertTrue(o.pathStyle());
    assertEquals(URI.create("http://127.0.0.1:9000"), o.endpoint());
    assertEquals("eu-west-1", o.withRegion("eu-west-1").region());
  }

  @Test
  void refusesMalformedLocations() {
    assertThrows(IllegalArgumentException.class, () -> S3ZooOptions.parse("s3://"));
    assertThrows(IllegalArgumentException.class, () -> S3ZooOptions.parse("s3://Bad_Bucket/x"));
    assertThrows(IllegalArgumentException.class, () -> S3ZooOptions.parse("s3://bucket/a//b"));
    assertThrows(IllegalArgumentException.class, () -> S3ZooOptions.parse("/tmp/zoo"));
  }

  @Test
  void theDefaultCacheDependsOnTheLocation() {
    S3ZooOptions a = S3ZooOptions.parse("s3://bucket/a");
    assertTrue(a.effectiveCacheDir().startsWith(Paths.get(System.getProperty("java.io.tmpdir"))));
    assertEquals(a.effectiveCacheDir(), S3ZooOptions.parse("s3://bucket/a").effectiveCacheDir());
    assertNotEquals(a.effectiveCacheDir(), S3ZooOptions.parse("s3://bucket/b").effectiveCacheDir());
    assertEquals(Paths.get("/c"), a.withCacheDir(Paths.get("/c")).effectiveCacheDir());
  }

  @Test
  void zooLocationsAreDirectoriesUnlessS3() {
    assertEquals(new ZooLocation.Directory(Paths.get("/tmp/zoo")), ZooLocation.parse("/tmp/zoo"));
    assertEquals("/tmp/zoo", ZooLocation.parse("/tmp/zoo").toString());
    ZooLocation s3 = ZooLocation.parse("s3://bucket/p");
    assertEquals(new ZooLocation.S3(S3ZooOptions.parse("s3://bucket/p")), s3);
    assertEquals("s3://bucket/p/", s3.toString());
  }

  @Test
  void layoutKeysRoundTrip() {
    S3Layout layout = new S3Layout("p");
    ModelKey key = new ModelKey("resnet20", "1.2");
    assertEquals("p/resnet20/1.2/manifest.json", layout.manifestKey(key));
    assertEquals(Optional.of(key), layout.manifestOf(layout.manifestKey(key)));
    assertEquals(Optional.empty(), layout.manifestOf("p/resnet20/1.2/abc/classifier.onnx"));
    assertEquals(Optional.empty(), layout.manifestOf("q/resnet20/1.2/manifest.json"));
    assertEquals(Optional.empty(), layout.manifestOf("p/.bad/1/manifest.json"));
  }
}
