package io.maskserve.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throwaway PKI generated per test run (EC P-256: fast to generate), written as PEM files, so no
 * key material is checked in: a CA, a server certificate for {@code localhost}/127.0.0.1 and a
 * client certificate, both signed by the CA.
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** The CA's certificate. */
  public final Path caCert;
  /** The server's certificate, signed by the CA. */
  public final Path serverCert;
  /** The server's PKCS#8 key. */
  public final Path serverKey;
  /** A client certificate, signed by the CA. */
  public final Path clientCert;
  /** The client's PKCS#8 key. */
  public final Path clientKey;
  /** A second, unrelated CA: certificates it signs must be refused. */
  public final Path otherCaCert;
  /** A client certificate signed by the unrelated CA. */
  public final Path otherClientCert;
  /** Its key. */
  public final Path otherClientKey;

  private TestCertificates(Path dir) throws GeneralSecurityException, IOException {
    KeyPair ca = keyPair();
    X500Name caName = new X500Name("CN=maskserve test CA");
    caCert = write(dir.resolve("ca.pem"), "CERTIFICATE", caCertificate(caName, ca).getEncoded());
    KeyPair server = keyPair();
    serverCert = write(dir.resolve("server.pem"), "CERTIFICATE",
        leaf(caName, ca, "CN=localhost", server, true).getEncoded());
    serverKey = write(dir.resolve("server.key"), "PRIVATE KEY", server.getPrivate().getEncoded());
    KeyPair client = keyPair();
    clientCert = write(dir.resolve("client.pem"), "CERTIFICATE",
        leaf(caName, ca, "CN=maskserve test client", client, false).getEncoded());
    clientKey = write(dir.resolve("client.key"), "PRIVATE KEY", client.getPrivate().getEncoded());
    KeyPair other = keyPair();
    X500Name otherName = new X500Name("CN=unrelated CA");
    otherCaCert = write(dir.resolve("other-ca.pem"), "CERTIFICATE", caCertificate(otherName, other).getEncoded());
    KeyPair otherClient = keyPair();
    otherClientCert = write(dir.resolve("other-client.pem"), "CERTIFICATE",
        leaf(otherName, other, "CN=intruder", otherClient, false).getEncoded());
    otherClientKey = write(dir.resolve("other-client.key"), "PRIVATE KEY", otherClient.getPrivate().getEncoded());
  }

  /** Generates a fresh PKI into {@code dir}. */
  public static TestCertificates generate(Path dir) {
    try {
      return new TestCertificates(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509CertificateHolder caCertificate(X500Name name, KeyPair keys) throws GeneralSecurityException {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          name, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    } catch (Exception e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static X509CertificateHolder leaf(
      X500Name issuer, KeyPair issuerKeys, String subject, KeyPair keys, boolean server)
      throws GeneralSecurityException {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          issuer, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
      if (server) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      }
      return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate()));
    } catch (Exception e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static Path write(Path file, String type, byte[] der) throws IOException {
    String pem = "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
    return Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }
}
