package io.maskserve.server.security;

/**
 * Who may call what, and over which transport.
 *
 * @param adminToken when not null, RegisterClassifier, RegisterGenerator and DeleteModel require
 *     {@code authorization: Bearer <it>}; when null they are open (the historical behaviour)
 * @param explainToken when not null, every other maskserve RPC (Explain*, ListModels, GetModel)
 *     requires it or the admin token; health and reflection never require a token
 * @param tls when not null, the port speaks TLS only
 */
public record SecurityConfig(BearerToken adminToken, BearerToken explainToken, TlsConfig tls) {

  private static final SecurityConfig NONE = new SecurityConfig(null, null, null);

  /** Plaintext, no tokens: anyone who reaches the port may do anything. */
  public static SecurityConfig none() {
    return NONE;
  }

  /** Whether any token is configured. */
  public boolean hasTokens() {
    return adminToken != null || explainToken != null;
  }
}
