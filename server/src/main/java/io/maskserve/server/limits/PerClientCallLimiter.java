package io.maskserve.server.limits;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.maskserve.server.security.BearerToken;
import io.maskserve.server.security.SecurityConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the calls one client may have in progress at once, over all its connections
 * ({@code serve --max-calls-per-client}). HTTP/2's concurrent-stream limit only bounds one
 * connection, and a client may open many.
 *
 * <p>A client is identified by the SHA-256 of the bearer token it presents when that token is
 * one the server has configured (so clients behind one proxy or NAT address that hold different
 * tokens are counted apart, and clients sharing a token share one budget), otherwise by the IP
 * address the call comes from ({@link Grpc#TRANSPORT_ATTR_REMOTE_ADDR}; every port of one host
 * counts as one client). A token the server does not know never names a client, or a caller could
 * make up a new identity, and a new budget, for every call of an open method. Installed after the
 * {@code AuthInterceptor}, so calls refused for their token never count.
 *
 * <p>A call beyond the limit is closed at once with RESOURCE_EXHAUSTED. A call's slot is given back
 * when the server closes it (before its status is sent, so a client that starts a new call as soon
 * as the previous answered is never refused), when it is cancelled (client cancellation, deadline,
 * broken connection) or completes, whichever comes first, exactly once. Health checks are never
 * counted: load balancers must always get through.
 */
public final class PerClientCallLimiter implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(PerClientCallLimiter.class);

  /** The request header carrying a bearer token. */
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  private final int maxCalls;
  private final BearerToken adminToken;
  private final BearerToken explainToken;
  /** Calls in progress per client; a client's entry is removed when its count returns to 0. */
  private final ConcurrentHashMap<String, Integer> active = new ConcurrentHashMap<>();

  /**
   * @param maxCalls most calls in progress per client; 0 = unlimited
   * @param security the server's tokens: a call presenting one of them is counted under that
   *     token, any other under its remote address
   */
  public PerClientCallLimiter(int maxCalls, SecurityConfig security) {
    if (maxCalls < 0) {
      throw new IllegalArgumentException("maxCalls must be >= 0 (0 = unlimited), got " + maxCalls);
    }
    this.maxCalls = maxCalls;
    this.adminToken = security.adminToken();
    this.explainToken = security.explainToken();
  }

  /** The limit (0 = unlimited). */
  public int maxCalls() {
    return maxCalls;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (maxCalls == 0
        || HEALTH_SERVICE.equals(MethodDescriptor.extractFullServiceName(call.getMethodDescriptor().getFullMethodName()))) {
      return next.startCall(call, headers);
    }
    String client = clientKey(call.getAttributes(), headers.get(AUTHORIZATION));
    if (!tryAcquire(client)) {
      log.debug("refused {} from {}: {} calls in progress", call.getMethodDescriptor().getFullMethodName(), client,
          maxCalls);
      call.close(Status.RESOURCE_EXHAUSTED.withDescription("this client already has " + maxCalls
          + " calls in progress, the limit per client (serve --max-calls-per-client); wait for one to finish"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Slot slot = new Slot(client);
    ServerCall<Q, R> releasing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        slot.release(); // before the status leaves: the client may start its next call at once
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(releasing, headers);
    } catch (RuntimeException | Error e) {
      slot.release();
      throw e;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        slot.release();
        super.onCancel();
      }

      @Override
      public void onComplete() {
        slot.release();
        super.onComplete();
      }
    };
  }

  /**
   * Takes a slot for {@code client}, or returns false when it already holds {@link #maxCalls()}.
   * Every true must be matched by one {@link #release}.
   */
  public boolean tryAcquire(String client) {
    if (maxCalls == 0) {
      return true;
    }
    boolean[] acquired = new boolean[1];
    active.compute(client, (k, n) -> {
      int current = n == null ? 0 : n;
      if (current >= maxCalls) {
        return n;
      }
      acquired[0] = true;
      return current + 1;
    });
    return acquired[0];
  }

  /** Gives back a slot {@link #tryAcquire} took. */
  public void release(String client) {
    if (maxCalls == 0) {
      return;
    }
    active.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Calls in progress of {@code client}. */
  public int active(String client) {
    return active.getOrDefault(client, 0);
  }

  /** Calls in progress of every client (0 once all calls have ended: nothing leaks). */
  public int totalActive() {
    return active.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Clients with calls in progress, and their counts. */
  public Map<String, Integer> snapshot() {
    return Map.copyOf(active);
  }

  /**
   * The key counting a call: {@code token:<first 16 hex digits of the token's SHA-256>} when the
   * call presents one of the server's tokens, else {@code ip:<address>}.
   */
  String clientKey(Attributes attributes, String authorization) {
    if (adminToken != null || explainToken != null) {
      String token = bearer(authorization);
      if (token != null
          && ((adminToken != null && adminToken.matches(token)) || (explainToken != null && explainToken.matches(token)))) {
        return "token:" + HexFormat.of().formatHex(sha256(token), 0, 8);
      }
    }
    SocketAddress remote = attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof InetSocketAddress inet) {
      return "ip:" + (inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString());
    }
    return "ip:" + remote; // in-process transports and the like: one key per address object's text
  }

  private static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    return authorization.substring(7).strip();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** One call's slot, given back once whichever of close, cancel or complete comes first. */
  private final class Slot {
    private final String client;
    private final AtomicBoolean released = new AtomicBoolean();

    Slot(String client) {
      this.client = client;
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        PerClientCallLimiter.this.release(client);
      }
    }
  }
}
