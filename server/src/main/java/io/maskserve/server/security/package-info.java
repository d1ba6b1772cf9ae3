/**
 * Transport security of the server: bearer-token authorization of RPCs ({@link
 * io.maskserve.server.security.AuthInterceptor}) and TLS / mutual TLS credentials ({@link
 * io.maskserve.server.security.TlsConfig}), both described by an immutable {@link
 * io.maskserve.server.security.SecurityConfig}.
 */
package io.maskserve.server.security;
