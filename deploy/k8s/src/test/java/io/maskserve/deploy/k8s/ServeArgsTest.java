package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Deployment's container arguments are a valid {@code maskserve serve} command line for the
 * real CLI: every flag exists, every value parses, and the configuration they make is valid.
 */
class ServeArgsTest {

  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(Manifests.project());

  @Test
  void theImageEntrypointRunsTheArgs() {
    // No command: the image's ENTRYPOINT (bin/maskserve) receives args, as DockerfileTest checks.
    assertNull(Tree.get(DEPLOYMENT.container(), "command"), "command would bypass the image's launcher");
    assertEquals("serve", DEPLOYMENT.args().get(0));
  }

  @Test
  void argsParseWithTheRealCommandLine() {
    ServeArgs parsed = ServeArgs.parse(DEPLOYMENT.args());
    ServerConfig config = parsed.config(Map.of());
    assertTrue(config.port() > 0, "a fixed port: probes and Services need it");
  }

  @Test
  void everyFlagLikeArgumentIsAServeOption() {
    List<String> known = ServeArgs.parse(DEPLOYMENT.args()).knownOptionNames();
    List<String> args = DEPLOYMENT.args();
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("-")) {
        String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        assertTrue(known.contains(name), name + " is not an option of maskserve serve; known: " + known);
      }
    }
  }

  @Test
  void noOptionIsGivenTwice() {
    List<String> given = ServeArgs.parse(DEPLOYMENT.args()).givenOptions();
    assertEquals(given.size(), given.stream().distinct().count(), "repeated option in " + given);
  }

  @Test
  void theCheckerRejectsWhatTheServerWouldReject() {
    // The parse above is the real check; these show it fails for the mistakes it must catch.
    List<String> unknown = new ArrayList<>(DEPLOYMENT.args());
    unknown.add("--zoo-bucket");
    unknown.add("s3://b/p");
    assertThrows(AssertionError.class, () -> ServeArgs.parse(unknown));
    List<String> badPort = ServeArgs.parse(DEPLOYMENT.args()).withValue("--port", "grpc");
    assertThrows(AssertionError.class, () -> ServeArgs.parse(badPort));
    List<String> badDuration = ServeArgs.parse(DEPLOYMENT.args()).withValue("--shutdown-grace", "ten");
    assertThrows(AssertionError.class, () -> ServeArgs.parse(badDuration));
    assertThrows(AssertionError.class, () -> ServeArgs.parse(List.of("serve", "--port", "50051")), "--zoo is required");
    assertThrows(AssertionError.class, () -> ServeArgs.parse(List.of("explain", "--zoo", "/z")));
  }

  @Test
  void theZooIsADirectoryNotAnUnsupportedUrl() {
    // The S3 store is not part of this server yet: --zoo must be a path.
    String zoo = ServeArgs.parse(DEPLOYMENT.args()).config(Map.of()).zoo().toString();
    assertTrue(zoo.startsWith("/"), "--zoo should be an absolute path in the container, is " + zoo);
    assertFalse(zoo.contains("://"), zoo);
  }
}
