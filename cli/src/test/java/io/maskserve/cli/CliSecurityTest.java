package io.maskserve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskserve.cli.CliTest.Run;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.security.BearerToken;
import io.maskserve.server.security.SecurityConfig;
import io.maskserve.server.security.TestCertificates;
import io.maskserve.server.security.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client commands' --token-file and --tls-* against servers that require them (empty zoos: fast). */
@Timeout(60)
class CliSecurityTest {

  static final String ADMIN = "cli-admin-token-0123456789";
  static final String EXPLAIN = "cli-explain-token-0123456789";

  @TempDir static Path dir;
  static MaskserveServer server;
  static String target;
  static Path adminFile;
  static Path explainFile;

  @BeforeAll
  static void start() throws Exception {
    server = MaskserveServer.start(ServerConfig.builder()
        .zoo(dir.resolve("zoo"))
        .port(0)
        .workerThreads(1)
        .shutdownGrace(Duration.ZERO)
        .security(new SecurityConfig(BearerToken.of(ADMIN, "t"), BearerToken.of(EXPLAIN, "t"), null))
        .build());
    target = "localhost:" + server.port();
    adminFile = Files.writeString(dir.resolve("admin.token"), ADMIN + "\n");
    explainFile = Files.writeString(dir.resolve("explain.token"), EXPLAIN + "\n");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void zooListWithTokenFile() {
    Run r = CliTest.run("zoo", "list", "--server", target, "--token-file", explainFile.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("no models", r.out().strip());
    r = CliTest.run("zoo", "list", "--server", target, "--token-file", adminFile.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
  }

  @Test
  void explainSendsTheToken() throws Exception {
    Path image = Files.write(dir.resolve("x.png"), new byte[] {1, 2, 3});
    Path out = dir.resolve("explained");
    Run r = CliTest.run("explain", "--server", target, "--model", "absent", image.toString(), "--out", out.toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("UNAUTHENTICATED"), r.err());
    r = CliTest.run("explain", "--server", target, "--model", "absent", image.toString(), "--out", out.toString(),
        "--token-file", explainFile.toString());
    assertNotEquals(0, r.exit(), "no such model, not an image");
    assertTrue(!r.err().contains("UNAUTHENTICATED") && !r.err().isBlank(), "got past the token check: " + r.err());
  }

  @Test
  void zooListOverMutualTls() {
    TestCertificates pki = TestCertificates.generate(dir);
    try (MaskserveServer mtls = MaskserveServer.start(ServerConfig.builder()
        .zoo(dir.resolve("mtls-zoo"))
        .port(0)
        .workerThreads(1)
        .shutdownGrace(Duration.ZERO)
        .security(new SecurityConfig(BearerToken.of(ADMIN, "t"), null,
            TlsConfig.load(pki.serverCert, pki.serverKey, pki.caCert)))
        .build())) {
      String tlsTarget = "localhost:" + mtls.port();
      Run r = CliTest.run("zoo", "list", "--server", tlsTarget, "--tls-ca", pki.caCert.toString(),
          "--tls-cert", pki.clientCert.toString(), "--tls-key", pki.clientKey.toString());
      assertEquals(0, r.exit(), r.err());
      assertEquals("no models", r.out().strip());
      r = CliTest.run("zoo", "delete", "--server", tlsTarget, "--name", "m", "--version", "1",
          "--tls-ca", pki.caCert.toString(), "--tls-cert", pki.clientCert.toString(),
          "--tls-key", pki.clientKey.toString(), "--token-file", adminFile.toString());
      assertTrue(!r.err().contains("UNAUTHENTICATED") && !r.err().contains("UNAVAILABLE"), r.err());
      r = CliTest.run("zoo", "list", "--server", tlsTarget, "--tls-ca", pki.caCert.toString());
      assertNotEquals(0, r.exit());
      assertTrue(r.err().contains("UNAVAILABLE"), "no client certificate: " + r.err());
      r = CliTest.run("zoo", "list", "--server", tlsTarget);
      assertNotEquals(0, r.exit());
      assertTrue(r.err().contains("UNAVAILABLE"), "plaintext against TLS: " + r.err());
    }
  }

  @Test
  void missingOrWeakTokensAreOneClearLine() {
    Run r = CliTest.run("zoo", "list", "--server", target);
    assertNotEquals(0, r.exit());
    assertEquals(1, CliTest.lines(r.err()).size(), r.err());
    assertTrue(r.err().startsWith("maskserve zoo list: UNAUTHENTICATED: missing or invalid bearer token")
        && r.err().contains("--token-file"), r.err());

    r = CliTest.run("zoo", "delete", "--server", target, "--name", "m", "--version", "1",
        "--token-file", explainFile.toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("PERMISSION_DENIED"), r.err());

    r = CliTest.run("zoo", "delete", "--server", target, "--name", "m", "--version", "1",
        "--token-file", adminFile.toString());
    assertTrue(!r.err().contains("UNAUTHENTICATED") && !r.err().contains("PERMISSION_DENIED"),
        "the admin token gets past authorization: " + r.err());

    r = CliTest.run("zoo", "list", "--server", target, "--token-file", dir.resolve("absent").toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("--token-file: cannot read"), r.err());

    r = CliTest.run("zoo", "list", "--zoo", dir.resolve("local").toString(), "--token-file", adminFile.toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("apply only with --server"), r.err());

    r = CliTest.run("zoo", "list", "--server", target, "--tls-cert", adminFile.toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("--tls-cert and --tls-key must be given together"), r.err());
  }
}
