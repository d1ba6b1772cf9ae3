/**
 * The gRPC layer: thin ExplainService and ModelZooService implementations, proto translation and
 * the mapping of domain failures onto status codes ({@link io.maskserve.server.grpc.StatusMapper}).
 */
package io.maskserve.server.grpc;
