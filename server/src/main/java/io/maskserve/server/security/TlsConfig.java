package io.maskserve.server.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS material of the server, all PEM files.
 *
 * @param certificateChain the server's certificate, optionally followed by intermediates
 * @param privateKey its unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY})
 * @param clientCa when not null, mutual TLS: clients must present a certificate signed by one of
 *     these CA certificates
 */
public record TlsConfig(Path certificateChain, Path privateKey, Path clientCa) {

  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  public TlsConfig {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Whether clients must present a certificate. */
  public boolean mutual() {
    return clientCa != null;
  }

  /**
   * The gRPC credentials for this material: TLS, and with {@link #clientCa} a required client
   * certificate signed by it.
   *
   * @throws UncheckedIOException if a file cannot be read
   */
  public ServerCredentials serverCredentials() {
    try {
      TlsServerCredentials.Builder b =
          TlsServerCredentials.newBuilder().keyManager(certificateChain.toFile(), privateKey.toFile());
      if (clientCa != null) {
        b.trustManager(clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS files: " + e.getMessage(), e);
    }
  }

  /**
   * A configuration whose files have been checked: readable, parseable, and the key belonging to
   * the first certificate. Doing this up front turns a mistake into one clear line at startup
   * instead of a failed handshake for every client later.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static TlsConfig load(Path certificateChain, Path privateKey, Path clientCa) {
    List<X509Certificate> chain = certificates(certificateChain, "--tls-cert");
    PrivateKey key = privateKey(privateKey);
    if (!belongTogether(key, chain.get(0))) {
      throw new IllegalArgumentException(
          "--tls-key " + privateKey + " is not the private key of the certificate in --tls-cert " + certificateChain);
    }
    if (clientCa != null) {
      certificates(clientCa, "--tls-client-ca");
    }
    return new TlsConfig(certificateChain, privateKey, clientCa);
  }

  private static List<X509Certificate> certificates(Path file, String option) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException(option + " " + file + " holds no PEM certificate");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(option + " " + file + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("--tls-key: cannot read " + file + ": " + e, e);
    }
    Matcher m = PKCS8.matcher(pem);
    if (!m.find()) {
      // grpc's JDK TLS provider reads only PKCS#8; say how to convert instead of failing later.
      throw new IllegalArgumentException("--tls-key " + file + " is not an unencrypted PKCS#8 PEM key"
          + " (BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("--tls-key " + file + ": unsupported or corrupt key (RSA, EC or EdDSA expected)");
  }

  /** Signs a challenge with the key and verifies it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, X509Certificate cert) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    byte[] challenge = "maskserve-tls-key-check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an EC key against an RSA certificate
    }
  }
}
