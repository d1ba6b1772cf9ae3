/**
 * The maskserve gRPC server. Start one with {@link io.maskserve.server.MaskserveServer#start} and a
 * {@link io.maskserve.server.ServerConfig}, or from the command line with {@link
 * io.maskserve.server.cli.ServeCommand} ({@code maskserve serve --zoo DIR}).
 */
package io.maskserve.server;
