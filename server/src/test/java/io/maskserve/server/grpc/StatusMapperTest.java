package io.maskserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.maskserve.server.pipeline.ExplainException;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.preprocess.ImageTooLargeException;
import io.maskserve.zoo.preprocess.InvalidImageException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StatusMapperTest {

  private final StatusMapper mapper = new StatusMapper();

  private Status.Code code(Throwable t) {
    return mapper.toStatus(t).getCode();
  }

  @Test
  void mapsEveryZooReason() {
    assertEquals(Status.Code.INVALID_ARGUMENT, code(new ZooException(ZooException.Reason.INVALID_ARGUMENT, "x")));
    assertEquals(Status.Code.NOT_FOUND, code(new ZooException(ZooException.Reason.NOT_FOUND, "x")));
    assertEquals(Status.Code.ALREADY_EXISTS, code(new ZooException(ZooException.Reason.ALREADY_EXISTS, "x")));
    assertEquals(Status.Code.FAILED_PRECONDITION, code(new ZooException(ZooException.Reason.FAILED_PRECONDITION, "x")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(new ZooException(ZooException.Reason.RESOURCE_EXHAUSTED, "x")));
    assertEquals(Status.Code.INTERNAL, code(new ZooException(ZooException.Reason.INTERNAL, "x")));
  }

  @Test
  void mapsPipelineAndInputFailures() {
    for (ExplainException.Reason r : ExplainException.Reason.values()) {
      assertEquals(r.name(), code(new ExplainException(r, "m")).name());
    }
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(new ImageTooLargeException("image is 100x100, limit 64x64")));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(new InvalidImageException("corrupt")));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(new IllegalArgumentException("bad")));
    assertEquals(Status.Code.INTERNAL, code(new IllegalStateException("boom")));
  }

  @Test
  void unwrapsAndKeepsTheMessage() {
    Status s = mapper.toStatus(new CompletionException(new ZooException(ZooException.Reason.NOT_FOUND, "no model 'x'")));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("no model 'x'", s.getDescription());
    com.google.rpc.Status rpc = mapper.toRpcStatus(new ExplainException(ExplainException.Reason.INVALID_ARGUMENT, "t"));
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), rpc.getCode());
    assertEquals("t", rpc.getMessage());
  }
}
