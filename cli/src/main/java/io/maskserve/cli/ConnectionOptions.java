package io.maskserve.cli;

import io.maskserve.client.MaskserveClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the client commands reach a server ({@code zoo ... --server}, {@code explain}, {@code
 * evaluate --server}): bearer token and TLS, as one picocli mixin so every command spells them
 * the same. The token comes from a file or {@code MASKSERVE_TOKEN}, never an argument, so it does
 * not show in {@code ps}.
 */
public final class ConnectionOptions {

  /** The environment variable holding the token when {@code --token-file} is absent. */
  public static final String TOKEN_VARIABLE = "MASKSERVE_TOKEN";

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding the bearer token sent with every call (default: env " + TOKEN_VARIABLE + ").")
  Path tokenFile;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "Connect with TLS, trusting the PEM CA certificate(s) in FILE.")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Mutual TLS: client PEM certificate (with --tls-key).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Mutual TLS: PKCS#8 PEM key of --tls-cert.")
  Path tlsKey;

  /** Where {@link #TOKEN_VARIABLE} is looked up; replaceable in tests. */
  Map<String, String> environment = System.getenv();

  /** Whether any of the options was given (they mean nothing without a server). */
  public boolean given() {
    return tokenFile != null || tlsCa != null || tlsCert != null || tlsKey != null;
  }

  /**
   * A client builder for {@code target} with the token and TLS settings applied.
   *
   * @throws IllegalArgumentException with a one-line message when a file is unreadable or the TLS
   *     options are incomplete
   */
  public MaskserveClient.Builder client(String target) {
    MaskserveClient.Builder b = MaskserveClient.forTarget(target);
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key must be given together");
    }
    if (tlsCa != null) {
      b.tls(tlsCa);
    }
    if (tlsCert != null) {
      b.mtls(tlsCert, tlsKey);
    }
    String token = token();
    if (token != null) {
      b.token(token);
    }
    return b;
  }

  private String token() {
    if (tokenFile != null) {
      try {
        String t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        if (t.isEmpty()) {
          throw new IllegalArgumentException("--token-file " + tokenFile + " is empty");
        }
        return t;
      } catch (IOException e) {
        throw new IllegalArgumentException("--token-file: cannot read " + tokenFile + ": " + e, e);
      }
    }
    String t = environment.get(TOKEN_VARIABLE);
    return t == null || t.isBlank() ? null : t.strip();
  }
}
