package io.maskserve.server.security;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.maskserve.v1.ModelZooServiceGrpc;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks {@code authorization: Bearer <token>} before a call reaches a service.
 *
 * <ul>
 *   <li>Health and reflection are always open: load balancers and grpcurl must work without
 *       secrets, and they reveal nothing a port scan would not.
 *   <li>Every ModelZooService method except ListModels and GetModel changes the zoo and needs the
 *       admin token (a method added later is protected until it is explicitly declared read-only).
 *   <li>Every other method (explanations, reads) needs the explain token or the admin token when an
 *       explain token is configured.
 * </ul>
 *
 * <p>A missing and a wrong token get the same UNAUTHENTICATED status and message, so a caller
 * learns nothing about which part was wrong; a valid explain token on an admin method gets
 * PERMISSION_DENIED.
 */
public final class AuthInterceptor implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

  /** The request header carrying the token. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  static final String UNAUTHENTICATED_MESSAGE = "missing or invalid bearer token";
  static final String PERMISSION_DENIED_MESSAGE = "this token may not change the model zoo";

  private static final Set<String> OPEN_SERVICES = Set.of(
      "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

  private static final Set<String> ZOO_READS = Set.of(
      ModelZooServiceGrpc.getListModelsMethod().getFullMethodName(),
      ModelZooServiceGrpc.getGetModelMethod().getFullMethodName());

  private final BearerToken adminToken;
  private final BearerToken explainToken;

  /** Checks against the tokens of {@code config}; a null token leaves its methods open. */
  public AuthInterceptor(SecurityConfig config) {
    this.adminToken = config.adminToken();
    this.explainToken = config.explainToken();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Status denied = check(method, headers.get(AUTHORIZATION));
    if (denied == null) {
      return next.startCall(call, headers);
    }
    log.debug("refused {} with {} from {}", method, denied.getCode(),
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    call.close(denied, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The status refusing the call, or null to let it through. */
  Status check(String fullMethodName, String authorization) {
    String service = MethodDescriptor.extractFullServiceName(fullMethodName);
    if (OPEN_SERVICES.contains(service)) {
      return null;
    }
    boolean admin = ModelZooServiceGrpc.SERVICE_NAME.equals(service) && !ZOO_READS.contains(fullMethodName);
    BearerToken required = admin ? adminToken : explainToken;
    if (required == null) {
      return null;
    }
    String presented = bearer(authorization);
    // Compare against both tokens whatever the outcome, so timing does not tell which one matched.
    boolean isAdmin = adminToken != null && adminToken.matches(presented);
    boolean isExplain = explainToken != null && explainToken.matches(presented);
    if (isAdmin || (!admin && isExplain)) {
      return null;
    }
    if (admin && isExplain) {
      return Status.PERMISSION_DENIED.withDescription(PERMISSION_DENIED_MESSAGE);
    }
    return Status.UNAUTHENTICATED.withDescription(UNAUTHENTICATED_MESSAGE);
  }

  /** The token of an {@code authorization: Bearer <token>} header, or null. */
  private static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    return authorization.substring(7).strip();
  }
}
