package io.maskserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.maskserve.v1.DeleteModelRequest;
import io.maskserve.v1.DeleteModelResponse;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ListModelsResponse;
import io.maskserve.v1.ModelZooServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link MaskserveClient.Builder#token}: the header reaches the server on every call. */
@Timeout(30)
class MaskserveClientTokenTest {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final List<String> seen = new CopyOnWriteArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor recorder = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String h = headers.get(AUTHORIZATION);
        seen.add(h == null ? "<none>" : h);
        return next.startCall(call, headers);
      }
    };
    ModelZooServiceGrpc.ModelZooServiceImplBase zoo = new ModelZooServiceGrpc.ModelZooServiceImplBase() {
      @Override
      public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
        out.onNext(ListModelsResponse.getDefaultInstance());
        out.onCompleted();
      }

      @Override
      public void deleteModel(DeleteModelRequest request, StreamObserver<DeleteModelResponse> out) {
        out.onNext(DeleteModelResponse.getDefaultInstance());
        out.onCompleted();
      }
    };
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(zoo, recorder)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void everyCallCarriesTheBearerHeader() {
    try (MaskserveClient client = MaskserveClient.forChannel(channel).token(" secret-token-0123456789\n").build()) {
      client.listModels();
      client.deleteModel("m", "1", false);
      client.withDeadline(Duration.ofSeconds(5)).listModels(); // derived clients keep the token
    }
    assertEquals(List.of("Bearer secret-token-0123456789", "Bearer secret-token-0123456789",
        "Bearer secret-token-0123456789"), seen);
  }

  @Test
  void noTokenNoHeader() {
    try (MaskserveClient client = MaskserveClient.forChannel(channel).build()) {
      client.listModels();
    }
    assertEquals(List.of("<none>"), seen);
  }

  @Test
  void badTokensAndTlsFilesFailEarly() {
    assertThrows(IllegalArgumentException.class, () -> MaskserveClient.forTarget("localhost:1").token("  "));
    assertThrows(IllegalArgumentException.class, () -> MaskserveClient.forTarget("localhost:1").token("a b"));
    RuntimeException e = assertThrows(RuntimeException.class, () -> MaskserveClient.forTarget("localhost:1")
        .mtls(Path.of("/nonexistent/c.pem"), Path.of("/nonexistent/c.key")).build());
    assertTrue(e.getMessage().contains("cannot read client certificate"), e.getMessage());
    e = assertThrows(RuntimeException.class, () -> MaskserveClient.forTarget("localhost:1")
        .tls(Path.of("/nonexistent/ca.pem")).build());
    assertTrue(e.getMessage().contains("cannot read CA certificates"), e.getMessage());
    assertFalse(new BearerTokenCredentials("secret-token-0123456789").toString().contains("secret"));
  }
}
