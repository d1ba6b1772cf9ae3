package io.maskserve.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.grpc.ZooUploads;
import io.maskserve.v1.DeleteModelRequest;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ModelZooServiceGrpc;
import io.maskserve.v1.ModelZooServiceGrpc.ModelZooServiceBlockingStub;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens, TLS and mutual TLS against real servers on free ports (empty zoos: no models needed). */
class SecureServerTest {

  static final String ADMIN = "admin-token-0123456789";
  static final String EXPLAIN = "explain-token-0123456789";

  @TempDir static Path dir;
  static TestCertificates pki;
  static MaskserveServer tokens;
  static MaskserveServer tls;
  static MaskserveServer mtls;

  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void start() {
    pki = TestCertificates.generate(dir);
    tokens = start("tokens", new SecurityConfig(BearerToken.of(ADMIN, "t"), BearerToken.of(EXPLAIN, "t"), null));
    tls = start("tls", new SecurityConfig(
        BearerToken.of(ADMIN, "t"), null, TlsConfig.load(pki.serverCert, pki.serverKey, null)));
    mtls = start("mtls", new SecurityConfig(null, null, TlsConfig.load(pki.serverCert, pki.serverKey, pki.caCert)));
  }

  private static MaskserveServer start(String zoo, SecurityConfig security) {
    return MaskserveServer.start(ServerConfig.builder()
        .zoo(dir.resolve(zoo))
        .port(0)
        .workerThreads(1)
        .shutdownGrace(Duration.ZERO)
        .security(security)
        .build());
  }

  @AfterAll
  static void stop() {
    for (MaskserveServer s : new MaskserveServer[] {tokens, tls, mtls}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @AfterEach
  void closeChannels() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private ManagedChannel channel(MaskserveServer server, ChannelCredentials credentials) {
    ManagedChannel c = Grpc.newChannelBuilderForAddress("localhost", server.port(), credentials).build();
    channels.add(c);
    return c;
  }

  private static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    Metadata md = new Metadata();
    md.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static Status codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus();
  }

  private static DeleteModelRequest deleteMissing() {
    return DeleteModelRequest.newBuilder().setName("nope").setVersion("1").build();
  }

  @Test
  void adminRpcsNeedTheAdminToken() {
    ManagedChannel ch = channel(tokens, InsecureChannelCredentials.create());
    ModelZooServiceBlockingStub zoo = ModelZooServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
    Status missing = codeOf(() -> zoo.deleteModel(deleteMissing()));
    assertEquals(Status.Code.UNAUTHENTICATED, missing.getCode());
    Status wrong = codeOf(() -> withToken(zoo, "wrong-token-0123456789").deleteModel(deleteMissing()));
    assertEquals(Status.Code.UNAUTHENTICATED, wrong.getCode());
    assertEquals(missing.getDescription(), wrong.getDescription(), "no hint which part was wrong");
    assertEquals(Status.Code.PERMISSION_DENIED,
        codeOf(() -> withToken(zoo, EXPLAIN).deleteModel(deleteMissing())).getCode());
    // Past the interceptor: the zoo itself answers (nothing to delete).
    Status.Code authorized;
    try {
      withToken(zoo, ADMIN).deleteModel(deleteMissing());
      authorized = Status.Code.OK;
    } catch (StatusRuntimeException e) {
      authorized = e.getStatus().getCode();
    }
    assertEquals(true, authorized == Status.Code.OK || authorized == Status.Code.NOT_FOUND, authorized.toString());
    // A streaming upload is refused before any chunk is stored.
    StatusRuntimeException upload = assertThrows(StatusRuntimeException.class, () -> ZooUploads.registerClassifier(
        ch, ZooUploads.resnetMetadata("1"), new byte[300_000]));
    assertEquals(Status.Code.UNAUTHENTICATED, upload.getStatus().getCode());
  }

  @Test
  void readsNeedTheExplainTokenWhenConfiguredHealthNever() {
    ManagedChannel ch = channel(tokens, InsecureChannelCredentials.create());
    ModelZooServiceBlockingStub zoo = ModelZooServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.UNAUTHENTICATED,
        codeOf(() -> zoo.listModels(ListModelsRequest.getDefaultInstance())).getCode());
    assertEquals(0, withToken(zoo, EXPLAIN).listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
    assertEquals(0, withToken(zoo, ADMIN).listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void tlsRoundTripWithTheGeneratedCa() throws IOException {
    ManagedChannel ch = channel(tls, TlsChannelCredentials.newBuilder().trustManager(pki.caCert.toFile()).build());
    ModelZooServiceBlockingStub zoo = ModelZooServiceGrpc.newBlockingStub(ch);
    assertEquals(0, withToken(zoo, ADMIN).listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
    assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> zoo.withDeadlineAfter(10, TimeUnit.SECONDS)
        .deleteModel(deleteMissing())).getCode());
  }

  @Test
  void plaintextClientAgainstTlsServerFailsFast() {
    ManagedChannel ch = channel(tls, InsecureChannelCredentials.create());
    long t0 = System.nanoTime();
    Status s = codeOf(() -> HealthGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
    assertEquals(true, System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4), "refused, not timed out");
  }

  @Test
  void untrustedServerCertificateIsRefused() throws IOException {
    ManagedChannel ch = channel(tls, TlsChannelCredentials.newBuilder().trustManager(pki.otherCaCert.toFile()).build());
    Status s = codeOf(() -> HealthGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
  }

  @Test
  void mutualTlsNeedsAClientCertificateSignedByTheCa() throws IOException {
    ManagedChannel without = channel(mtls, TlsChannelCredentials.newBuilder().trustManager(pki.caCert.toFile()).build());
    Status s = codeOf(() -> HealthGrpc.newBlockingStub(without).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());

    ManagedChannel intruder = channel(mtls, TlsChannelCredentials.newBuilder()
        .trustManager(pki.caCert.toFile())
        .keyManager(pki.otherClientCert.toFile(), pki.otherClientKey.toFile())
        .build());
    s = codeOf(() -> HealthGrpc.newBlockingStub(intruder).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());

    ManagedChannel with = channel(mtls, TlsChannelCredentials.newBuilder()
        .trustManager(pki.caCert.toFile())
        .keyManager(pki.clientCert.toFile(), pki.clientKey.toFile())
        .build());
    assertEquals(0, ModelZooServiceGrpc.newBlockingStub(with).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
  }
}
