package io.maskserve.server.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A secret bearer token, kept only as its SHA-256 digest. {@link #matches} compares digests with
 * {@link MessageDigest#isEqual}, so neither the position of the first wrong byte nor the token's
 * length leaks through timing.
 */
public final class BearerToken {

  /** Shortest accepted token, in UTF-8 bytes: shorter ones are guessable. */
  public static final int MIN_BYTES = 16;

  private final byte[] digest;

  private BearerToken(byte[] digest) {
    this.digest = digest;
  }

  /**
   * A token from its text.
   *
   * @param what names the token's origin in error messages, e.g. {@code --admin-token-file x}
   * @throws IllegalArgumentException if shorter than {@link #MIN_BYTES} bytes or holding characters
   *     that cannot travel in an HTTP header (controls, non-ASCII)
   */
  public static BearerToken of(String token, String what) {
    byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          what + ": the token must be at least " + MIN_BYTES + " bytes, got " + bytes.length);
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            what + ": the token must be printable ASCII without spaces (character " + i + " is not)");
      }
    }
    return new BearerToken(sha256(bytes));
  }

  /**
   * Reads a token from {@code file}: its whole content less surrounding whitespace (so a trailing
   * newline from {@code echo} does not count).
   *
   * @throws IllegalArgumentException if the file cannot be read or the token is unacceptable
   */
  public static BearerToken fromFile(Path file, String option) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(option + ": cannot read token file " + file + ": " + e.getMessage(), e);
    }
    return of(text.strip(), option + " " + file);
  }

  /** Whether {@code presented} is this token, in time independent of where they differ. */
  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(presented.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Never the token itself. */
  @Override
  public String toString() {
    return "BearerToken[redacted]";
  }
}
