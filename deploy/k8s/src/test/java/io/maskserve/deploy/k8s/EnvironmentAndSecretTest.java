package io.maskserve.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.ServerConfig;
import io.maskserve.server.security.BearerToken;
import io.maskserve.server.security.SecurityConfig;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every environment variable of the container is one the launcher or the server reads, and the
 * admin token really reaches the server from the Secret.
 */
class EnvironmentAndSecretTest {

  private static final ServerDeployment DEPLOYMENT = ServerDeployment.of(Manifests.project());

  /** A token of the length the README's {@code openssl rand -hex 32} makes. */
  private static final String SAMPLE_TOKEN = "0123456789abcdef".repeat(4);

  /** Variables ServeCommand reads: the string literals it passes to token(...). */
  static Set<String> serverVariables() {
    String source = ProjectLayout.read(ProjectLayout.serveCommandSource());
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("token\\([^;]*?\"(MASKSERVE_[A-Z_]+)\"\\)").matcher(source);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertFalse(names.isEmpty(), "found no token(..., \"MASKSERVE_...\") in ServeCommand.java");
    return names;
  }

  @Test
  void everyVariableIsReadByTheLauncherOrTheServer() {
    Set<String> read = new LinkedHashSet<>(serverVariables());
    read.addAll(Launcher.project().environmentVariables());
    for (String name : DEPLOYMENT.env().keySet()) {
      assertTrue(read.contains(name), name + " is read by neither bin/maskserve nor ServeCommand (they read " + read + ")");
    }
  }

  @Test
  void literalValuesAreStrings() {
    for (var e : DEPLOYMENT.env().entrySet()) {
      Object value = e.getValue().get("value");
      assertTrue(value == null || value instanceof String, e.getKey() + " value must be a string");
      assertTrue(value != null || e.getValue().get("valueFrom") != null, e.getKey() + " has no value");
    }
  }

  @Test
  void theAdminTokenComesFromARequiredSecretKey() {
    Map<String, Object> admin = DEPLOYMENT.env().get("MASKSERVE_ADMIN_TOKEN");
    assertNotNull(admin, "no MASKSERVE_ADMIN_TOKEN: the zoo would be writable by anyone reaching the port");
    assertNull(admin.get("value"), "the token must not be written in the manifest");
    Map<String, Object> ref = Tree.map(admin, "valueFrom.secretKeyRef");
    assertFalse(Boolean.TRUE.equals(ref.get("optional")), "an optional admin token lets the pod start with an open zoo");
    assertFalse(ServeArgs.parse(DEPLOYMENT.args()).given("--admin-token-file"),
        "--admin-token-file would take precedence over the Secret's variable");
  }

  @Test
  void eachSecretVariableConfiguresItsTokenInTheServer() {
    for (var e : DEPLOYMENT.env().entrySet()) {
      if (Tree.get(e.getValue(), "valueFrom.secretKeyRef") == null) {
        continue;
      }
      ServeArgs args = ServeArgs.parse(DEPLOYMENT.args());
      SecurityConfig security = args.config(Map.of(e.getKey(), SAMPLE_TOKEN)).security();
      BearerToken token = switch (e.getKey()) {
        case "MASKSERVE_ADMIN_TOKEN" -> security.adminToken();
        case "MASKSERVE_EXPLAIN_TOKEN" -> security.explainToken();
        default -> throw new AssertionError(e.getKey() + " comes from a Secret but is no token variable");
      };
      assertNotNull(token, e.getKey() + " did not configure a token");
      assertTrue(token.matches(SAMPLE_TOKEN), e.getKey() + " configured another token");
    }
    // And without the variables the server is open: the variables are what secures it.
    ServerConfig open = ServeArgs.parse(DEPLOYMENT.args()).config(Map.of());
    assertNull(open.security().adminToken());
  }

  @Test
  void theReadmeCreatesTheSecretKeysTheDeploymentNeeds() {
    String readme = ProjectLayout.read(ProjectLayout.deployReadme());
    for (var e : DEPLOYMENT.env().entrySet()) {
      Object ref = Tree.get(e.getValue(), "valueFrom.secretKeyRef");
      if (ref == null || Boolean.TRUE.equals(Tree.get(ref, "optional"))) {
        continue;
      }
      String name = Tree.string(ref, "name");
      String key = Tree.string(ref, "key");
      Matcher m = Pattern.compile("kubectl (?:-n \\S+ )?create secret generic " + Pattern.quote(name)
          + "[^\\n]*?--from-literal=" + Pattern.quote(key) + "=\"?\\$\\(openssl rand -hex (\\d+)\\)").matcher(readme);
      assertTrue(m.find(), "deploy/README.md does not create Secret " + name + " with key " + key);
      // openssl rand -hex N prints 2N characters: at least what the server accepts.
      assertTrue(2 * Integer.parseInt(m.group(1)) >= BearerToken.MIN_BYTES, "README's token is too short");
    }
  }

  @Test
  void theSampleTokenIsOneTheServerAccepts() {
    assertEquals(SAMPLE_TOKEN, SAMPLE_TOKEN.strip());
    assertNotNull(BearerToken.of(SAMPLE_TOKEN, "test"));
  }
}
