package io.maskserve.zoo;

import io.maskserve.zoo.ZooException.Reason;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The checks and errors every {@link ZooStore} applies to a registration the same way, so the
 * directory and object-store backends answer a client identically.
 */
public final class RegistrationChecks {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private RegistrationChecks() {}

  /**
   * Runs a {@link ModelValidator} check: its ZooExceptions pass through, any other failure becomes
   * INTERNAL (a validator bug must not look like a bad upload).
   */
  public static <T> T runValidatorFor(Supplier<T> check) {
    try {
      return check.get();
    } catch (ZooException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ZooException(Reason.INTERNAL, "model validation failed unexpectedly: " + e, e);
    }
  }

  /** {@link #runValidatorFor} for a check without a result. */
  public static void runValidator(Runnable check) {
    runValidatorFor(() -> {
      check.run();
      return null;
    });
  }

  /**
   * Checks what a classifier registration must carry before anything is read: an input spec,
   * labels, and a well-formed expected sha256 if any.
   */
  public static void requireComplete(ClassifierRegistration registration) {
    if (registration.input() == null) {
      throw new ZooException(ZooException.Reason.INVALID_ARGUMENT, "the classifier registration has no input spec");
    }
    if (registration.labels().isEmpty()) {
      throw new ZooException(ZooException.Reason.INVALID_ARGUMENT, "the classifier registration has no labels");
    }
    requireShaFormat(registration.expectedSha256());
  }

  /** INVALID_ARGUMENT unless {@code sha} is empty (no expectation) or 64 lowercase hex characters. */
  public static void requireShaFormat(String sha) {
    if (!sha.isEmpty() && !SHA256.matcher(sha).matches()) {
      throw new ZooException(Reason.INVALID_ARGUMENT, "sha256 must be 64 hex characters, got '"
          + (sha.length() > 80 ? sha.substring(0, 80) + "..." : sha) + "'");
    }
  }

  /** INVALID_ARGUMENT if an expected sha256 was given and the upload hashes to another. */
  public static void verifySha(String what, String expected, String actual) {
    if (!expected.isEmpty() && !expected.equals(actual)) {
      throw new ZooException(Reason.INVALID_ARGUMENT, what + " sha256 mismatch: expected " + expected
          + " but the uploaded bytes hash to " + actual);
    }
  }

  /**
   * The keep threshold of a generator registration: its own, else {@link
   * GeneratorSpec#DEFAULT_THRESHOLD}; INVALID_ARGUMENT outside (0,1).
   */
  public static float threshold(GeneratorRegistration registration) {
    float threshold = registration.threshold() == null ? GeneratorSpec.DEFAULT_THRESHOLD : registration.threshold();
    if (!(threshold > 0f && threshold < 1f)) {
      throw new ZooException(Reason.INVALID_ARGUMENT, "generator threshold must be in (0,1), got " + threshold);
    }
    return threshold;
  }

  /** ALREADY_EXISTS: the version has a generator. */
  public static ZooException generatorExists(ModelKey key) {
    return new ZooException(Reason.ALREADY_EXISTS, "model " + key + " already has a generator; delete it with "
        + "generator_only first, or register a new version");
  }

  /** ALREADY_EXISTS: the version exists. */
  public static ZooException versionExists(ModelKey key) {
    return new ZooException(Reason.ALREADY_EXISTS, "model " + key + " already exists; register a new version or "
        + "delete this one first");
  }

  /** NOT_FOUND: the version does not exist. */
  public static ZooException notFound(ModelKey key) {
    return new ZooException(Reason.NOT_FOUND, "model " + key + " does not exist");
  }
}
