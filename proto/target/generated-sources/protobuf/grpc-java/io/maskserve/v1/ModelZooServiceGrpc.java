package io.maskserve.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Registers, lists and deletes classifiers and their generators. A model version is a
 * classifier plus, once registered, its generator. Registration validates the ONNX
 * file (loads in ONNX Runtime, shapes, checksum) before publishing it atomically.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class ModelZooServiceGrpc {

  private ModelZooServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "maskserve.v1.ModelZooService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<io.maskserve.v1.RegisterClassifierRequest,
      io.maskserve.v1.ModelInfo> getRegisterClassifierMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegisterClassifier",
      requestType = io.maskserve.v1.RegisterClassifierRequest.class,
      responseType = io.maskserve.v1.ModelInfo.class,
      methodType = io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
  public static io.grpc.MethodDescriptor<io.maskserve.v1.RegisterClassifierRequest,
      io.maskserve.v1.ModelInfo> getRegisterClassifierMethod() {
    io.grpc.MethodDescriptor<io.maskserve.v1.RegisterClassifierRequest, io.maskserve.v1.ModelInfo> getRegisterClassifierMethod;
    if ((getRegisterClassifierMethod = ModelZooServiceGrpc.getRegisterClassifierMethod) == null) {
      synchronized (ModelZooServiceGrpc.class) {
        if ((getRegisterClassifierMethod = ModelZooServiceGrpc.getRegisterClassifierMethod) == null) {
          ModelZooServiceGrpc.getRegisterClassifierMethod = getRegisterClassifierMethod =
              io.grpc.MethodDescriptor.<io.maskserve.v1.RegisterClassifierRequest, io.maskserve.v1.ModelInfo>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegisterClassifier"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.RegisterClassifierRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ModelInfo.getDefaultInstance()))
              .setSchemaDescriptor(new ModelZooServiceMethodDescriptorSupplier("RegisterClassifier"))
              .build();
        }
      }
    }
    return getRegisterClassifierMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.maskserve.v1.RegisterGeneratorRequest,
      io.maskserve.v1.ModelInfo> getRegisterGeneratorMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegisterGenerator",
      requestType = io.maskserve.v1.RegisterGeneratorRequest.class,
      responseType = io.maskserve.v1.ModelInfo.class,
      methodType = io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
  public static io.grpc.MethodDescriptor<io.maskserve.v1.RegisterGeneratorRequest,
      io.maskserve.v1.ModelInfo> getRegisterGeneratorMethod() {
    io.grpc.MethodDescriptor<io.maskserve.v1.RegisterGeneratorRequest, io.maskserve.v1.ModelInfo> getRegisterGeneratorMethod;
    if ((getRegisterGeneratorMethod = ModelZooServiceGrpc.getRegisterGeneratorMethod) == null) {
      synchronized (ModelZooServiceGrpc.class) {
        if ((getRegisterGeneratorMethod = ModelZooServiceGrpc.getRegisterGeneratorMethod) == null) {
          ModelZooServiceGrpc.getRegisterGeneratorMethod = getRegisterGeneratorMethod =
              io.grpc.MethodDescriptor.<io.maskserve.v1.RegisterGeneratorRequest, io.maskserve.v1.ModelInfo>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegisterGenerator"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.RegisterGeneratorRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ModelInfo.getDefaultInstance()))
              .setSchemaDescriptor(new ModelZooServiceMethodDescriptorSupplier("RegisterGenerator"))
              .build();
        }
      }
    }
    return getRegisterGeneratorMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.maskserve.v1.ListModelsRequest,
      io.maskserve.v1.ListModelsResponse> getListModelsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListModels",
      requestType = io.maskserve.v1.ListModelsRequest.class,
      responseType = io.maskserve.v1.ListModelsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.maskserve.v1.ListModelsRequest,
      io.maskserve.v1.ListModelsResponse> getListModelsMethod() {
    io.grpc.MethodDescriptor<io.maskserve.v1.ListModelsRequest, io.maskserve.v1.ListModelsResponse> getListModelsMethod;
    if ((getListModelsMethod = ModelZooServiceGrpc.getListModelsMethod) == null) {
      synchronized (ModelZooServiceGrpc.class) {
        if ((getListModelsMethod = ModelZooServiceGrpc.getListModelsMethod) == null) {
          ModelZooServiceGrpc.getListModelsMethod = getListModelsMethod =
              io.grpc.MethodDescriptor.<io.maskserve.v1.ListModelsRequest, io.maskserve.v1.ListModelsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListModels"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ListModelsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ListModelsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ModelZooServiceMethodDescriptorSupplier("ListModels"))
              .build();
        }
      }
    }
    return getListModelsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.maskserve.v1.GetModelRequest,
      io.maskserve.v1.ModelInfo> getGetModelMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetModel",
      requestType = io.maskserve.v1.GetModelRequest.class,
      responseType = io.maskserve.v1.ModelInfo.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.maskserve.v1.GetModelRequest,
      io.maskserve.v1.ModelInfo> getGetModelMethod() {
    io.grpc.MethodDescriptor<io.maskserve.v1.GetModelRequest, io.maskserve.v1.ModelInfo> getGetModelMethod;
    if ((getGetModelMethod = ModelZooServiceGrpc.getGetModelMethod) == null) {
      synchronized (ModelZooServiceGrpc.class) {
        if ((getGetModelMethod = ModelZooServiceGrpc.getGetModelMethod) == null) {
          ModelZooServiceGrpc.getGetModelMethod = getGetModelMethod =
              io.grpc.MethodDescriptor.<io.maskserve.v1.GetModelRequest, io.maskserve.v1.ModelInfo>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetModel"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.GetModelRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.ModelInfo.getDefaultInstance()))
              .setSchemaDescriptor(new ModelZooServiceMethodDescriptorSupplier("GetModel"))
              .build();
        }
      }
    }
    return getGetModelMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.maskserve.v1.DeleteModelRequest,
      io.maskserve.v1.DeleteModelResponse> getDeleteModelMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteModel",
      requestType = io.maskserve.v1.DeleteModelRequest.class,
      responseType = io.maskserve.v1.DeleteModelResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.maskserve.v1.DeleteModelRequest,
      io.maskserve.v1.DeleteModelResponse> getDeleteModelMethod() {
    io.grpc.MethodDescriptor<io.maskserve.v1.DeleteModelRequest, io.maskserve.v1.DeleteModelResponse> getDeleteModelMethod;
    if ((getDeleteModelMethod = ModelZooServiceGrpc.getDeleteModelMethod) == null) {
      synchronized (ModelZooServiceGrpc.class) {
        if ((getDeleteModelMethod = ModelZooServiceGrpc.getDeleteModelMethod) == null) {
          ModelZooServiceGrpc.getDeleteModelMethod = getDeleteModelMethod =
              io.grpc.MethodDescriptor.<io.maskserve.v1.DeleteModelRequest, io.maskserve.v1.DeleteModelResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteModel"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.DeleteModelRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.maskserve.v1.DeleteModelResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ModelZooServiceMethodDescriptorSupplier("DeleteModel"))
              .build();
        }
      }
    }
    return getDeleteModelMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static ModelZooServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceStub>() {
        @java.lang.Override
        public ModelZooServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ModelZooServiceStub(channel, callOptions);
        }
      };
    return ModelZooServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static ModelZooServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceBlockingV2Stub>() {
        @java.lang.Override
        public ModelZooServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ModelZooServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return ModelZooServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static ModelZooServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceBlockingStub>() {
        @java.lang.Override
        public ModelZooServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ModelZooServiceBlockingStub(channel, callOptions);
        }
      };
    return ModelZooServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static ModelZooServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ModelZooServiceFutureStub>() {
        @java.lang.Override
        public ModelZooServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ModelZooServiceFutureStub(channel, callOptions);
        }
      };
    return ModelZooServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Registers, lists and deletes classifiers and their generators. A model version is a
   * classifier plus, once registered, its generator. Registration validates the ONNX
   * file (loads in ONNX Runtime, shapes, checksum) before publishing it atomically.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Client streaming: first message `metadata`, then the ONNX file in `chunk`s.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<io.maskserve.v1.RegisterClassifierRequest> registerClassifier(
        io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getRegisterClassifierMethod(), responseObserver);
    }

    /**
     * <pre>
     * Client streaming: first message `metadata`, then the ONNX file in `chunk`s. The
     * generator is attached to an existing classifier version.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<io.maskserve.v1.RegisterGeneratorRequest> registerGenerator(
        io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getRegisterGeneratorMethod(), responseObserver);
    }

    /**
     */
    default void listModels(io.maskserve.v1.ListModelsRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.ListModelsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListModelsMethod(), responseObserver);
    }

    /**
     */
    default void getModel(io.maskserve.v1.GetModelRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetModelMethod(), responseObserver);
    }

    /**
     */
    default void deleteModel(io.maskserve.v1.DeleteModelRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.DeleteModelResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteModelMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service ModelZooService.
   * <pre>
   * Registers, lists and deletes classifiers and their generators. A model version is a
   * classifier plus, once registered, its generator. Registration validates the ONNX
   * file (loads in ONNX Runtime, shapes, checksum) before publishing it atomically.
   * </pre>
   */
  public static abstract class ModelZooServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return ModelZooServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service ModelZooService.
   * <pre>
   * Registers, lists and deletes classifiers and their generators. A model version is a
   * classifier plus, once registered, its generator. Registration validates the ONNX
   * file (loads in ONNX Runtime, shapes, checksum) before publishing it atomically.
   * </pre>
   */
  public static final class ModelZooServiceStub
      extends io.grpc.stub.AbstractAsyncStub<ModelZooServiceStub> {
    private ModelZooServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ModelZooServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ModelZooServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Client streaming: first message `metadata`, then the ONNX file in `chunk`s.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<io.maskserve.v1.RegisterClassifierRequest> registerClassifier(
        io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getRegisterClassifierMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * Client streaming: first message `metadata`, then the ONNX file in `chunk`s. The
     * generator is attached to an existing classifier version.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<io.maskserve.v1.RegisterGeneratorRequest> registerGenerator(
        io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getRegisterGeneratorMethod(), getCallOptions()), responseObserver);
    }

    /**
     */
    public void listModels(io.maskserve.v1.ListModelsRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.ListModelsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getModel(io.maskserve.v1.GetModelRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetModelMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void deleteModel(io.maskserve.v1.DeleteModelRequest request,
        io.grpc.stub.StreamObserver<io.maskserve.v1.DeleteModelResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteModelMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service ModelZooService.
   * <pre>
   * Registers, lists and deletes classifiers and their generators. A model version is a
   * classifier plus, once registered, its generator. Registration validates the ONNX
   * file (loads in ONNX Runtime, shapes, checksum) before publishing it atomically.
   * </pre>
   */
  public static final class ModelZooServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<ModelZooServiceBlockingV2Stub> {
    private ModelZooServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ModelZooServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ModelZooServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Client streaming: first message `metadata`, then the ONNX file in `chunk`s.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<io.maskserve.v1.RegisterClassifierRequest, io.maskserve.v1.ModelInfo>
        registerClassifier() {
      return io.grpc.stub.ClientCalls.blockingClientStreamingCall(
          getChannel(), getRegisterClassifierMethod(), getCallOptions());
    }

    /**
     * <pre>
     * Client streaming: first message `metadata`, then the ONNX file in `chunk`s. The
     * generator is attached to an existing classifier version.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<io.maskserve.v1.RegisterGeneratorRequest, io.maskserve.v1.ModelInfo>
        registerGenerator() {
      return io.grpc.stub.ClientCalls.blockingClientStreamingCall(
          getChannel(), getRegisterGeneratorMethod(), getCallOptions());
    }

    /**
     */
    public io.maskserve.v1.ListModelsResponse listModels(io.maskserve.v1.ListModelsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.maskserve.v1.ModelInfo getModel(io.maskserve.v1.GetModelRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetModelMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.maskserve.v1.DeleteModelResponse deleteModel(io.maskserve.v1.DeleteModelRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteModelMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service ModelZooService.
   * <pre>
   * Registers, lists and deletes classifiers and their generators. A model version is a
   * classifier plus, once registered, its generator. Registration validates the ONNX
   * file (loads in ONNX Runtime, shapes, checksum) before publishing it atomically.
   * </pre>
   */
  public static final class ModelZooServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<ModelZooServiceBlockingStub> {
    private ModelZooServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ModelZooServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ModelZooServiceBlockingStub(channel, callOptions);
    }

    /**
     */
    public io.maskserve.v1.ListModelsResponse listModels(io.maskserve.v1.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.maskserve.v1.ModelInfo getModel(io.maskserve.v1.GetModelRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetModelMethod(), getCallOptions(), request);
    }

    /**
     */
    public io.maskserve.v1.DeleteModelResponse deleteModel(io.maskserve.v1.DeleteModelRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteModelMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service ModelZooService.
   * <pre>
   * Registers, lists and deletes classifiers and their generators. A model version is a
   * classifier plus, once registered, its generator. Registration validates the ONNX
   * file (loads in ONNX Runtime, shapes, checksum) before publishing it atomically.
   * </pre>
   */
  public static final class ModelZooServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<ModelZooServiceFutureStub> {
    private ModelZooServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ModelZooServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ModelZooServiceFutureStub(channel, callOptions);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.maskserve.v1.ListModelsResponse> listModels(
        io.maskserve.v1.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.maskserve.v1.ModelInfo> getModel(
        io.maskserve.v1.GetModelRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetModelMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<io.maskserve.v1.DeleteModelResponse> deleteModel(
        io.maskserve.v1.DeleteModelRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteModelMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_LIST_MODELS = 0;
  private static final int METHODID_GET_MODEL = 1;
  private static final int METHODID_DELETE_MODEL = 2;
  private static final int METHODID_REGISTER_CLASSIFIER = 3;
  private static final int METHODID_REGISTER_GENERATOR = 4;

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
        case METHODID_LIST_MODELS:
          serviceImpl.listModels((io.maskserve.v1.ListModelsRequest) request,
              (io.grpc.stub.StreamObserver<io.maskserve.v1.ListModelsResponse>) responseObserver);
          break;
        case METHODID_GET_MODEL:
          serviceImpl.getModel((io.maskserve.v1.GetModelRequest) request,
              (io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo>) responseObserver);
          break;
        case METHODID_DELETE_MODEL:
          serviceImpl.deleteModel((io.maskserve.v1.DeleteModelRequest) request,
              (io.grpc.stub.StreamObserver<io.maskserve.v1.DeleteModelResponse>) responseObserver);
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
        case METHODID_REGISTER_CLASSIFIER:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.registerClassifier(
              (io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo>) responseObserver);
        case METHODID_REGISTER_GENERATOR:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.registerGenerator(
              (io.grpc.stub.StreamObserver<io.maskserve.v1.ModelInfo>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getRegisterClassifierMethod(),
          io.grpc.stub.ServerCalls.asyncClientStreamingCall(
            new MethodHandlers<
              io.maskserve.v1.RegisterClassifierRequest,
              io.maskserve.v1.ModelInfo>(
                service, METHODID_REGISTER_CLASSIFIER)))
        .addMethod(
          getRegisterGeneratorMethod(),
          io.grpc.stub.ServerCalls.asyncClientStreamingCall(
            new MethodHandlers<
              io.maskserve.v1.RegisterGeneratorRequest,
              io.maskserve.v1.ModelInfo>(
                service, METHODID_REGISTER_GENERATOR)))
        .addMethod(
          getListModelsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.maskserve.v1.ListModelsRequest,
              io.maskserve.v1.ListModelsResponse>(
                service, METHODID_LIST_MODELS)))
        .addMethod(
          getGetModelMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.maskserve.v1.GetModelRequest,
              io.maskserve.v1.ModelInfo>(
                service, METHODID_GET_MODEL)))
        .addMethod(
          getDeleteModelMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.maskserve.v1.DeleteModelRequest,
              io.maskserve.v1.DeleteModelResponse>(
                service, METHODID_DELETE_MODEL)))
        .build();
  }

  private static abstract class ModelZooServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    ModelZooServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return io.maskserve.v1.ZooProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("ModelZooService");
    }
  }

  private static final class ModelZooServiceFileDescriptorSupplier
      extends ModelZooServiceBaseDescriptorSupplier {
    ModelZooServiceFileDescriptorSupplier() {}
  }

  private static final class ModelZooServiceMethodDescriptorSupplier
      extends ModelZooServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    ModelZooServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (ModelZooServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new ModelZooServiceFileDescriptorSupplier())
              .addMethod(getRegisterClassifierMethod())
              .addMethod(getRegisterGeneratorMethod())
              .addMethod(getListModelsMethod())
              .addMethod(getGetModelMethod())
              .addMethod(getDeleteModelMethod())
              .build();
        }
      }
    }
    return result;
  }
}
