package io.maskserve.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.ModelZooServiceGrpc;
import org.junit.jupiter.api.Test;

/** The decision table of {@link AuthInterceptor#check}, without a network. */
class AuthInterceptorTest {

  static final String ADMIN = "admin-token-0123456789";
  static final String EXPLAIN = "explain-token-0123456789";

  static final String DELETE = ModelZooServiceGrpc.getDeleteModelMethod().getFullMethodName();
  static final String REGISTER = ModelZooServiceGrpc.getRegisterClassifierMethod().getFullMethodName();
  static final String REGISTER_GEN = ModelZooServiceGrpc.getRegisterGeneratorMethod().getFullMethodName();
  static final String LIST = ModelZooServiceGrpc.getListModelsMethod().getFullMethodName();
  static final String EXPLAIN_RPC = ExplainServiceGrpc.getExplainMethod().getFullMethodName();
  static final String HEALTH = "grpc.health.v1.Health/Check";
  static final String REFLECTION = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

  private static AuthInterceptor both() {
    return new AuthInterceptor(new SecurityConfig(
        BearerToken.of(ADMIN, "test"), BearerToken.of(EXPLAIN, "test"), null));
  }

  private static Status.Code code(AuthInterceptor a, String method, String header) {
    Status s = a.check(method, header);
    return s == null ? Status.Code.OK : s.getCode();
  }

  @Test
  void adminMethodsNeedTheAdminToken() {
    AuthInterceptor a = both();
    for (String m : new String[] {DELETE, REGISTER, REGISTER_GEN}) {
      assertEquals(Status.Code.UNAUTHENTICATED, code(a, m, null), m);
      assertEquals(Status.Code.UNAUTHENTICATED, code(a, m, "Bearer wrong-token-0123456789"), m);
      assertEquals(Status.Code.UNAUTHENTICATED, code(a, m, ADMIN), "no Bearer scheme");
      assertEquals(Status.Code.UNAUTHENTICATED, code(a, m, "Bearer " + ADMIN + "x"), "prefix is not enough");
      assertEquals(Status.Code.OK, code(a, m, "Bearer " + ADMIN), m);
      assertEquals(Status.Code.OK, code(a, m, "bearer " + ADMIN), "the scheme is case-insensitive");
      assertEquals(Status.Code.PERMISSION_DENIED, code(a, m, "Bearer " + EXPLAIN), m);
    }
  }

  @Test
  void missingAndWrongTokensLookTheSame() {
    AuthInterceptor a = both();
    Status missing = a.check(DELETE, null);
    Status wrong = a.check(DELETE, "Bearer " + ADMIN.substring(0, ADMIN.length() - 1) + "!");
    assertEquals(missing.getCode(), wrong.getCode());
    assertEquals(missing.getDescription(), wrong.getDescription());
  }

  @Test
  void readsNeedExplainOrAdminTokenWhenConfigured() {
    AuthInterceptor a = both();
    for (String m : new String[] {LIST, EXPLAIN_RPC}) {
      assertEquals(Status.Code.UNAUTHENTICATED, code(a, m, null), m);
      assertEquals(Status.Code.UNAUTHENTICATED, code(a, m, "Bearer nope-nope-nope-nope"), m);
      assertEquals(Status.Code.OK, code(a, m, "Bearer " + EXPLAIN), m);
      assertEquals(Status.Code.OK, code(a, m, "Bearer " + ADMIN), m);
    }
  }

  @Test
  void healthAndReflectionAreAlwaysOpen() {
    AuthInterceptor a = both();
    assertNull(a.check(HEALTH, null));
    assertNull(a.check(REFLECTION, null));
    assertNull(a.check("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "Bearer junk"));
  }

  @Test
  void unconfiguredTokensLeaveTheirMethodsOpen() {
    AuthInterceptor none = new AuthInterceptor(SecurityConfig.none());
    assertNull(none.check(DELETE, null));
    assertNull(none.check(EXPLAIN_RPC, null));
    AuthInterceptor adminOnly = new AuthInterceptor(new SecurityConfig(BearerToken.of(ADMIN, "t"), null, null));
    assertNull(adminOnly.check(EXPLAIN_RPC, null));
    assertNull(adminOnly.check(LIST, null));
    assertEquals(Status.Code.UNAUTHENTICATED, code(adminOnly, DELETE, null));
    // An unknown method of the zoo service changes the zoo until declared a read.
    assertEquals(Status.Code.UNAUTHENTICATED, code(adminOnly, ModelZooServiceGrpc.SERVICE_NAME + "/Future", null));
  }

  @Test
  void tokensAreCheckedAndNeverPrinted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BearerToken.of("short", "X"));
    assertTrue(e.getMessage().contains("at least 16 bytes"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BearerToken.of("has a space in it, long enough", "X"));
    BearerToken t = BearerToken.of(ADMIN, "X");
    assertTrue(t.matches(ADMIN));
    assertFalse(t.matches(ADMIN + " "));
    assertFalse(t.matches(null));
    assertFalse(t.toString().contains(ADMIN));
  }
}
