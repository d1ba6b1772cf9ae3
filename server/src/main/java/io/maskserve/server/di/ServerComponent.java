package io.maskserve.server.di;

import dagger.BindsInstance;
import dagger.Component;
import io.grpc.Server;
import io.grpc.protobuf.services.HealthStatusManager;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.batching.Batcher;
import io.maskserve.server.limits.PerClientCallLimiter;
import io.maskserve.server.pipeline.ExplanationPipeline;
import io.maskserve.server.registry.ModelRegistry;
import io.maskserve.zoo.ZooStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import javax.inject.Singleton;

/** Builds the server's object graph from a {@link ServerConfig}; one component per server. */
@Singleton
@Component(modules = ServerModule.class)
public interface ServerComponent {

  /** The gRPC server, not yet started. */
  Server grpcServer();

  /** The health service's status, SERVING once started. */
  HealthStatusManager health();

  /** The zoo. */
  ZooStore store();

  /** The loaded models over the zoo. */
  ModelRegistry registry();

  /** The explanation pipeline. */
  ExplanationPipeline pipeline();

  /** The scheduler of explanations. */
  Batcher batcher();

  /** Counts the calls in progress per client. */
  PerClientCallLimiter callLimiter();

  /** Runs the periodic zoo refresh. */
  @ServerModule.Background
  ScheduledExecutorService scheduler();

  /** Feeds uploads into the zoo. */
  @ServerModule.Uploads
  ExecutorService uploads();

  /** Creates a component for one server. */
  @Component.Factory
  interface Factory {
    /** A component for a server configured by {@code config}. */
    ServerComponent create(@BindsInstance ServerConfig config);
  }
}
