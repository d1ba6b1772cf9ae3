package io.maskserve.server.security;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup checks of the TLS files: each mistake is one clear message naming the file. */
class TlsConfigTest {

  @TempDir static Path dir;
  static TestCertificates pki;

  @BeforeAll
  static void pki() {
    pki = TestCertificates.generate(dir);
  }

  private static String failure(Path cert, Path key, Path ca) {
    return assertThrows(IllegalArgumentException.class, () -> TlsConfig.load(cert, key, ca)).getMessage();
  }

  @Test
  void goodFilesLoad() {
    assertTrue(TlsConfig.load(pki.serverCert, pki.serverKey, pki.caCert).mutual());
  }

  @Test
  void mistakesAreNamed() throws Exception {
    String m = failure(pki.serverCert, pki.clientKey, null);
    assertTrue(m.contains("is not the private key of the certificate"), m);
    m = failure(pki.serverCert, dir.resolve("missing.key"), null);
    assertTrue(m.startsWith("--tls-key: cannot read") && m.contains("missing.key"), m);
    m = failure(dir.resolve("missing.pem"), pki.serverKey, null);
    assertTrue(m.startsWith("--tls-cert: cannot read"), m);
    m = failure(pki.serverKey, pki.serverKey, null);
    assertTrue(m.contains("--tls-cert") && m.contains("certificate"), m);
    Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    m = failure(pki.serverCert, pkcs1, null);
    assertTrue(m.contains("PKCS#8") && m.contains("openssl pkcs8"), m);
    m = failure(pki.serverCert, pki.serverKey, dir.resolve("nope-ca.pem"));
    assertTrue(m.startsWith("--tls-client-ca: cannot read"), m);
  }
}
