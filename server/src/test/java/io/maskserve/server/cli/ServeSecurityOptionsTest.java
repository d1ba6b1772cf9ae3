package io.maskserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.server.ServerConfig;
import io.maskserve.server.security.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve}'s token and TLS options: parsed into the config, mistakes refused with one clear line. */
class ServeSecurityOptionsTest {

  @TempDir Path dir;

  private static ServerConfig parse(Map<String, String> env, String... args) {
    ServeCommand cmd = new ServeCommand();
    cmd.environment = env;
    new CommandLine(cmd).parseArgs(args);
    return cmd.config();
  }

  /** Runs serve and returns its stderr; it must fail before binding anything. */
  private static String refused(String... args) {
    ServeCommand cmd = new ServeCommand();
    cmd.environment = Map.of();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(cmd).setErr(new PrintWriter(err)).execute(args);
    assertNotEquals(0, exit);
    return err.toString();
  }

  @Test
  void tokensFromFilesOrEnvironment() throws Exception {
    Path admin = Files.writeString(dir.resolve("admin"), "admin-token-0123456789\n");
    ServerConfig c = parse(Map.of(), "--zoo", "z", "--admin-token-file", admin.toString());
    assertTrue(c.security().adminToken().matches("admin-token-0123456789"), "trailing newline stripped");
    assertNull(c.security().explainToken());
    assertNull(c.security().tls());

    c = parse(Map.of("MASKSERVE_ADMIN_TOKEN", "env-admin-0123456789", "MASKSERVE_EXPLAIN_TOKEN", "env-explain-0123456"),
        "--zoo", "z");
    assertTrue(c.security().adminToken().matches("env-admin-0123456789"));
    assertTrue(c.security().explainToken().matches("env-explain-0123456"));

    c = parse(Map.of("MASKSERVE_ADMIN_TOKEN", "env-admin-0123456789"), "--zoo", "z", "--admin-token-file", admin.toString());
    assertTrue(c.security().adminToken().matches("admin-token-0123456789"), "the file wins over the environment");

    assertNull(parse(Map.of(), "--zoo", "z").security().adminToken());
  }

  @Test
  void shortOrUnreadableTokensAreRefused() throws Exception {
    Path shortToken = Files.writeString(dir.resolve("short"), "tooshort");
    String err = refused("--zoo", dir.resolve("z").toString(), "--admin-token-file", shortToken.toString());
    assertTrue(err.contains("--admin-token-file") && err.contains("at least 16 bytes, got 8"), err);
    err = refused("--zoo", dir.resolve("z").toString(), "--explain-token-file", dir.resolve("absent").toString());
    assertTrue(err.contains("--explain-token-file: cannot read token file"), err);
  }

  @Test
  void tlsFilesAreCheckedAtStartup() {
    TestCertificates pki = TestCertificates.generate(dir);
    ServerConfig c = parse(Map.of(), "--zoo", "z", "--tls-cert", pki.serverCert.toString(),
        "--tls-key", pki.serverKey.toString(), "--tls-client-ca", pki.caCert.toString());
    assertNotNull(c.security().tls());
    assertTrue(c.security().tls().mutual());

    String z = dir.resolve("z").toString();
    String err = refused("--zoo", z, "--tls-cert", pki.serverCert.toString(), "--tls-key", dir.resolve("no.key").toString());
    assertTrue(err.contains("--tls-key: cannot read") && err.contains("no.key"), err);
    err = refused("--zoo", z, "--tls-cert", pki.serverCert.toString());
    assertTrue(err.contains("--tls-cert and --tls-key must be given together"), err);
    err = refused("--zoo", z, "--tls-cert", pki.serverCert.toString(), "--tls-key", pki.clientKey.toString());
    assertTrue(err.contains("is not the private key of the certificate"), err);
    err = refused("--zoo", z, "--tls-client-ca", pki.caCert.toString());
    assertTrue(err.contains("--tls-client-ca needs --tls-cert and --tls-key"), err);
    assertEquals(false, Files.exists(dir.resolve("z")), "nothing started");
  }
}
