package io.maskserve.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.maskserve.server.security.BearerToken;
import io.maskserve.server.security.SecurityConfig;
import io.maskserve.v1.ExplainServiceGrpc;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-client limiter without a server: counting, keys, and release on every way a call ends. */
class PerClientCallLimiterTest {

  static final String ADMIN = "admin-token-0123456789";
  static final String EXPLAIN = "explain-token-0123456789";

  /** A server call that records how it was closed. */
  static final class FakeCall extends ServerCall<Object, Object> {
    final Attributes attributes;
    final MethodDescriptor<?, ?> method;
    Status closed;

    FakeCall(String ip, int port, MethodDescriptor<?, ?> method) {
      this.attributes = Attributes.newBuilder()
          .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, new InetSocketAddress(ip, port))
          .build();
      this.method = method;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Object message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      closed = status;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @SuppressWarnings("unchecked")
    @Override
    public MethodDescriptor<Object, Object> getMethodDescriptor() {
      return (MethodDescriptor<Object, Object>) method;
    }
  }

  /** A handler that starts calls and keeps them (the service's side). */
  static final class Handler implements ServerCallHandler<Object, Object> {
    final List<ServerCall<Object, Object>> started = new ArrayList<>();
    RuntimeException failWith;

    @Override
    public ServerCall.Listener<Object> startCall(ServerCall<Object, Object> call, Metadata headers) {
      if (failWith != null) {
        throw failWith;
      }
      started.add(call);
      return new ServerCall.Listener<>() {};
    }
  }

  static Metadata bearer(String token) {
    Metadata m = new Metadata();
    if (token != null) {
      m.put(PerClientCallLimiter.AUTHORIZATION, "Bearer " + token);
    }
    return m;
  }

  static FakeCall explainCall(String ip, int port) {
    return new FakeCall(ip, port, ExplainServiceGrpc.getExplainMethod());
  }

  @Test
  void countsUpToTheLimitPerClientAndFreesEntriesAtZero() {
    PerClientCallLimiter l = new PerClientCallLimiter(2, SecurityConfig.none());
    assertTrue(l.tryAcquire("a"));
    assertTrue(l.tryAcquire("a"));
    assertFalse(l.tryAcquire("a"), "third call of a");
    assertTrue(l.tryAcquire("b"), "b has its own budget");
    assertEquals(2, l.active("a"));
    l.release("a");
    assertTrue(l.tryAcquire("a"));
    l.release("a");
    l.release("a");
    l.release("b");
    assertEquals(0, l.totalActive());
    assertEquals(Map.of(), l.snapshot(), "no entry is kept for idle clients");
    l.release("never-seen"); // harmless
    assertEquals(0, l.totalActive());
    assertThrows(IllegalArgumentException.class, () -> new PerClientCallLimiter(-1, SecurityConfig.none()));
  }

  @Test
  void zeroMeansUnlimited() {
    PerClientCallLimiter l = new PerClientCallLimiter(0, SecurityConfig.none());
    Handler h = new Handler();
    for (int i = 0; i < 1000; i++) {
      FakeCall c = explainCall("10.0.0.1", 1000 + i);
      l.interceptCall(c, new Metadata(), h);
      assertNull(c.closed);
    }
    assertEquals(1000, h.started.size());
    assertEquals(0, l.totalActive());
  }

  @Test
  void clientsAreTheirIpWithoutTokensAndTheirKnownTokenWithTokens() {
    PerClientCallLimiter open = new PerClientCallLimiter(1, SecurityConfig.none());
    Attributes a1 = explainCall("10.0.0.1", 1111).getAttributes();
    Attributes a2 = explainCall("10.0.0.1", 2222).getAttributes();
    Attributes b = explainCall("10.0.0.2", 1111).getAttributes();
    assertEquals("ip:10.0.0.1", open.clientKey(a1, null));
    assertEquals(open.clientKey(a1, null), open.clientKey(a2, null), "every port of a host is one client");
    assertNotEquals(open.clientKey(a1, null), open.clientKey(b, null));
    assertEquals("ip:10.0.0.1", open.clientKey(a1, "Bearer " + ADMIN), "no tokens configured: the IP");

    PerClientCallLimiter tokens = new PerClientCallLimiter(1,
        new SecurityConfig(BearerToken.of(ADMIN, "t"), BearerToken.of(EXPLAIN, "t"), null));
    String admin = tokens.clientKey(a1, "Bearer " + ADMIN);
    String explain = tokens.clientKey(a1, "bearer " + EXPLAIN);
    assertTrue(admin.startsWith("token:") && admin.length() == "token:".length() + 16, admin);
    assertNotEquals(admin, explain, "two tokens from one address are two clients");
    assertEquals(admin, tokens.clientKey(b, "Bearer " + ADMIN), "one token from two addresses is one client");
    assertFalse(admin.contains(ADMIN), "the key never holds the token");
    // A token the server does not know must not name a new client, else every call could invent one.
    assertEquals("ip:10.0.0.1", tokens.clientKey(a1, "Bearer made-up-token-0123456789"));
    assertEquals("ip:10.0.0.1", tokens.clientKey(a1, null));
  }

  @Test
  void callsOverTheLimitAreResourceExhaustedAndSlotsComeBackOnCloseCancelAndComplete() {
    PerClientCallLimiter l = new PerClientCallLimiter(2, SecurityConfig.none());
    Handler h = new Handler();
    List<ServerCall.Listener<Object>> listeners = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      listeners.add(l.interceptCall(explainCall("10.0.0.1", 5000 + i), new Metadata(), h));
    }
    FakeCall third = explainCall("10.0.0.1", 5002);
    l.interceptCall(third, new Metadata(), h);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, third.closed.getCode());
    assertTrue(third.closed.getDescription().contains("already has 2 calls in progress")
        && third.closed.getDescription().contains("--max-calls-per-client"), third.closed.getDescription());
    assertEquals(2, h.started.size(), "the refused call never reached the service");
    FakeCall other = explainCall("10.0.0.9", 5000);
    l.interceptCall(other, new Metadata(), h);
    assertNull(other.closed, "another client is not affected");
    l.release("ip:10.0.0.9");

    // Closed by the service: the slot comes back before the status is sent.
    h.started.get(0).close(Status.OK, new Metadata());
    assertEquals(1, l.active("ip:10.0.0.1"));
    listeners.get(0).onComplete(); // and is not given back twice
    assertEquals(1, l.active("ip:10.0.0.1"));
    // Cancelled by the client (or its deadline, or a broken connection).
    listeners.get(1).onCancel();
    listeners.get(1).onCancel();
    h.started.get(1).close(Status.CANCELLED, new Metadata());
    assertEquals(0, l.totalActive());

    // Completed without a close seen here, and a handler that throws.
    ServerCall.Listener<Object> x = l.interceptCall(explainCall("10.0.0.1", 6000), new Metadata(), h);
    x.onComplete();
    h.failWith = new IllegalStateException("boom");
    assertThrows(IllegalStateException.class,
        () -> l.interceptCall(explainCall("10.0.0.1", 6001), new Metadata(), h));
    assertEquals(0, l.totalActive());
    assertEquals(Map.of(), l.snapshot());
  }

  @Test
  void healthChecksAreNeverCountedOrRefused() {
    PerClientCallLimiter l = new PerClientCallLimiter(1, SecurityConfig.none());
    Handler h = new Handler();
    l.interceptCall(explainCall("10.0.0.1", 1), new Metadata(), h);
    FakeCall health = new FakeCall("10.0.0.1", 2, HealthGrpc.getCheckMethod());
    l.interceptCall(health, new Metadata(), h);
    assertNull(health.closed);
    assertEquals(1, l.active("ip:10.0.0.1"));
  }

  @Test
  void concurrentAcquireAndReleaseNeverExceedTheLimitNorLeak() throws Exception {
    int limit = 4;
    PerClientCallLimiter l = new PerClientCallLimiter(limit, SecurityConfig.none());
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch done = new CountDownLatch(16);
    for (int t = 0; t < 16; t++) {
      String client = "c" + (t % 2);
      pool.execute(() -> {
        for (int i = 0; i < 5_000; i++) {
          if (l.tryAcquire(client)) {
            if (client.equals("c0")) {
              maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
              // Hold the slot a moment so that holders overlap even on a loaded 2-core machine.
              java.util.concurrent.locks.LockSupport.parkNanos(20_000);
              inside.decrementAndGet();
            }
            l.release(client);
          } else {
            refused.incrementAndGet();
          }
        }
        done.countDown();
      });
    }
    assertTrue(done.await(60, TimeUnit.SECONDS));
    pool.shutdown();
    assertTrue(maxInside.get() <= limit, "at most " + limit + " at once, saw " + maxInside.get());
    // Whether 4 holders ever overlapped depends on the scheduler; refusals are checked below.
    assertEquals(0, l.totalActive());
    assertEquals(Map.of(), l.snapshot());
    // And the limit holds after the run: four slots taken, the fifth refused, all given back.
    for (int i = 0; i < limit; i++) {
      assertTrue(l.tryAcquire("c0"));
    }
    assertTrue(!l.tryAcquire("c0"));
    for (int i = 0; i < limit; i++) {
      l.release("c0");
    }
    assertEquals(0, l.totalActive());
  }
}
