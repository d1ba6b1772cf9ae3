package io.maskserve.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Adds {@code authorization: Bearer <token>} to every call. Sent over plaintext channels too: the
 * server may sit behind a TLS-terminating proxy or on loopback, and refusing would only push
 * users to work around it; the server warns when tokens are configured without TLS.
 */
final class BearerTokenCredentials extends CallCredentials {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;

  BearerTokenCredentials(String token) {
    String t = token.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("token must not be empty");
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("token must be printable ASCII without spaces");
      }
    }
    this.header = "Bearer " + t;
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    try {
      Metadata md = new Metadata();
      md.put(AUTHORIZATION, header);
      applier.apply(md);
    } catch (RuntimeException e) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("could not attach the token").withCause(e));
    }
  }

  /** Never the token. */
  @Override
  public String toString() {
    return "BearerTokenCredentials[redacted]";
  }
}
