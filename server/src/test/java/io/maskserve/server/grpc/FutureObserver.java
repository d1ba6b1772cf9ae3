package io.maskserve.server.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * A response observer for calls answered by one message: the future completes with the first
 * response, with the call's error, or with null if the call ends without a response.
 */
public final class FutureObserver<T> implements StreamObserver<T> {

  private final CompletableFuture<T> future = new CompletableFuture<>();

  /** The first response (or the failure). */
  public CompletableFuture<T> future() {
    return future;
  }

  @Override
  public void onNext(T value) {
    future.complete(value);
  }

  @Override
  public void onError(Throwable t) {
    future.completeExceptionally(t);
  }

  @Override
  public void onCompleted() {
    future.complete(null);
  }
}
