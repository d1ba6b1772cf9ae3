package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.Status;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class MaskserveExceptionTest {

  @Test
  void carriesCodeAndDescription() {
    MaskserveException e =
        MaskserveException.from(Status.NOT_FOUND.withDescription("model 'x' not found").asRuntimeException());
    assertEquals(Status.Code.NOT_FOUND, e.code());
    assertEquals("NOT_FOUND: model 'x' not found", e.getMessage());
    assertSame(e, MaskserveException.from(e));
  }

  @Test
  void namesTheLocalCause() {
    MaskserveException e = MaskserveException.from(
        Status.UNAVAILABLE.withDescription("io exception")
            .withCause(new ConnectException("Connection refused: localhost/127.0.0.1:1"))
            .asRuntimeException());
    assertEquals("UNAVAILABLE: io exception (Connection refused: localhost/127.0.0.1:1)", e.getMessage());
  }

  @Test
  void fromAStreamedError() {
    MaskserveException e = MaskserveException.fromStatusProto(
        com.google.rpc.Status.newBuilder().setCode(3).setMessage("cannot decode image").build());
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertNull(e.getCause());
  }
}
