package io.maskserve.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Explains a classifier's decision on an image with a discrete mask produced by the
 * model's trained generator (one generator forward pass, no per-image optimisation).
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class ExplainServiceGrpc {

  private ExplainServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "maskserve.v1.ExplainService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<io.maskserve.v1.ExplainRequest,
      io.maskserve.v1.ExplainResponse> getExplainMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Explain",
      requestType = io.maskserve.v1.ExplainRequest.class,
      responseType = io.maskserve.v1.ExplainResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.maskserve.v1.ExplainRequest,
      io.maskserve.v1.ExplainResponse> getExplainMethod() {
    io.grpc.MethodDescriptor<io.maskserve.v1.ExplainRequest, io.maskserve.v1.ExplainResponse> getExplainMethod;
    if ((getExplainMethod = ExplainServiceGrpc.getExplainMethod) == null) {
      synchronized (ExplainServiceGrpc.class) {
        if ((getExplainMethod = ExplainServiceGrpc.getExplainMethod) == null) {
          ExplainServiceGrpc.getExplainMethod = getExplainMethod =
              io.grpc.MethodDescriptor.<io.maskserve.v1.ExplainRequest, io.maskserve.v1.ExplainResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Explain"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ExplainRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ExplainResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ExplainServiceMethodDescriptorSupplier("Explain"))
              .build();
        }
      }
    }
    return getExplainMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.maskserve.v1.ExplainRequest,
      io.maskserve.v1.ExplainResponse> getExplainStreamMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ExplainStream",
      requestType = io.maskserve.v1.ExplainRequest.class,
      responseType = io.maskserve.v1.ExplainResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
  public static io.grpc.MethodDescriptor<io.maskserve.v1.ExplainRequest,
      io.maskserve.v1.ExplainResponse> getExplainStreamMethod() {
    io.grpc.MethodDescriptor<io.maskserve.v1.ExplainRequest, io.maskserve.v1.ExplainResponse> getExplainStreamMethod;
    if ((getExplainStreamMethod = ExplainServiceGrpc.getExplainStreamMethod) == null) {
      synchronized (ExplainServiceGrpc.class) {
        if ((getExplainStreamMethod = ExplainServiceGrpc.getExplainStreamMethod) == null) {
          ExplainServiceGrpc.getExplainStreamMethod = getExplainStreamMethod =
              io.grpc.MethodDescriptor.<io.maskserve.v1.ExplainRequest, io.maskserve.v1.ExplainResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ExplainStream"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ExplainRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ExplainResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ExplainServiceMethodDescriptorSupplier("ExplainStream"))
              .build();
        }
      }
    }
    return getExplainStreamMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static ExplainServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ExplainServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ExplainServiceStub>() {
        @java.lang.Override
        public ExplainServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ExplainServiceStub(channel, callOptions);
        }
      };
    return ExplainServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static ExplainServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ExplainServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ExplainServiceBlockingV2Stub>() {
        @java.lang.Override
        public ExplainServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ExplainServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return ExplainServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static ExplainServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ExplainServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ExplainServiceBlockingStub>() {
        @java.lang.Override
        public ExplainServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ExplainServiceBlockingStub(channel, callOptions);
        }
      };
    return ExplainServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static ExplainServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ExplainServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ExplainServiceFutureStub>() {
        @java.lang.Override
        public ExplainServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ExplainServiceFutureStub(channel, callOptions);
        }
      };
    return ExplainServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Explains a classifier's decision on an image with a discrete mask produced by the
   * model's trained generator (one generator forward pass, no per-image optimisation).
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Explains one image. Failures are reported as a gRPC status (INVALID_ARGUMENT,
     * NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE).
     * </pre>
     */
    default void explain(io.maskserve.v1.ExplainRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getExplainMethod(), responseObserver);
    }

    /**
     * <pre>
     * Explains a stream of images. Every response echoes its request's request_id; a bad
     * item yields a response whose `error` says why, and the stream goes on. Responses
     * may arrive in a different order than the requests: match them by request_id.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainRequest> explainStream(
        io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getExplainStreamMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service ExplainService.
   * <pre>
   * Explains a classifier's decision on an image with a discrete mask produced by the
   * model's trained generator (one generator forward pass, no per-image optimisation).
   * </pre>
   */
  public static abstract class ExplainServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return ExplainServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service ExplainService.
   * <pre>
   * Explains a classifier's decision on an image with a discrete mask produced by the
   * model's trained generator (one generator forward pass, no per-image optimisation).
   * </pre>
   */
  public static final class ExplainServiceStub
      extends io.grpc.stub.AbstractAsyncStub<ExplainServiceStub> {
    private ExplainServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ExplainServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ExplainServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Explains one image. Failures are reported as a gRPC status (INVALID_ARGUMENT,
     * NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE).
     * </pre>
     */
    public void explain(io.maskserve.v1.ExplainRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getExplainMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Explains a stream of images. Every response echoes its request's request_id; a bad
     * item yields a response whose `error` says why, and the stream goes on. Responses
     * may arrive in a different order than the requests: match them by request_id.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainRequest> explainStream(
        io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          getChannel().newCall(getExplainStreamMethod(), getCallOptions()), responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service ExplainService.
   * <pre>
   * Explains a classifier's decision on an image with a discrete mask produced by the
   * model's trained generator (one generator forward pass, no per-image optimisation).
   * </pre>
   */
  public static final class ExplainServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<ExplainServiceBlockingV2Stub> {
    private ExplainServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ExplainServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ExplainServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Explains one image. Failures are reported as a gRPC status (INVALID_ARGUMENT,
     * NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE).
     * </pre>
     */
    public io.maskserve.v1.ExplainResponse explain(io.maskserve.v1.ExplainRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getExplainMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Explains a stream of images. Every response echoes its request's request_id; a bad
     * item yields a response whose `error` says why, and the stream goes on. Responses
     * may arrive in a different order than the requests: match them by request_id.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<io.maskserve.v1.ExplainRequest, io.maskserve.v1.ExplainResponse>
        explainStream() {
      return io.grpc.stub.ClientCalls.blockingBidiStreamingCall(
          getChannel(), getExplainStreamMethod(), getCallOptions());
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service ExplainService.
   * <pre>
   * Explains a classifier's decision on an image with a discrete mask produced by the
   * model's trained generator (one generator forward pass, no per-image optimisation).
   * </pre>
   */
  public static final class ExplainServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<ExplainServiceBlockingStub> {
    private ExplainServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ExplainServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ExplainServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Explains one image. Failures are reported as a gRPC status (INVALID_ARGUMENT,
     * NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE).
     * </pre>
     */
    public io.maskserve.v1.ExplainResponse explain(io.maskserve.v1.ExplainRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getExplainMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service ExplainService.
   * <pre>
   * Explains a classifier's decision on an image with a discrete mask produced by the
   * model's trained generator (one generator forward pass, no per-image optimisation).
   * </pre>
   */
  public static final class ExplainServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<ExplainServiceFutureStub> {
    private ExplainServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ExplainServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ExplainServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Explains one image. Failures are reported as a gRPC status (INVALID_ARGUMENT,
     * NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.maskserve.v1.ExplainResponse> explain(
        io.maskserve.v1.ExplainRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getExplainMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_EXPLAIN = 0;
  private static final int METHODID_EXPLAIN_STREAM = 1;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_EXPLAIN:
          serviceImpl.explain((io.maskserve.v1.ExplainRequest) request,
              (io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_EXPLAIN_STREAM:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.explainStream(
              (io.grpc.stub.StreamObserver<io.maskserve.v1.ExplainResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getExplainMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.maskserve.v1.ExplainRequest,
              io.maskserve.v1.ExplainResponse>(
                service, METHODID_EXPLAIN)))
        .addMethod(
          getExplainStreamMethod(),
          io.grpc.stub.ServerCalls.asyncBidiStreamingCall(
            new MethodHandlers<
              io.maskserve.v1.ExplainRequest,
              io.maskserve.v1.ExplainResponse>(
                service, METHODID_EXPLAIN_STREAM)))
        .build();
  }

  private static abstract class ExplainServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    ExplainServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return io.maskserve.v1.ExplainProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("ExplainService");
    }
  }

  private static final class ExplainServiceFileDescriptorSupplier
      extends ExplainServiceBaseDescriptorSupplier {
    ExplainServiceFileDescriptorSupplier() {}
  }

  private static final class ExplainServiceMethodDescriptorSupplier
      extends ExplainServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    ExplainServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (ExplainServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new ExplainServiceFileDescriptorSupplier())
              .addMethod(getExplainMethod())
              .addMethod(getExplainStreamMethod())
              .build();
        }
      }
    }
    return result;
  }
}
