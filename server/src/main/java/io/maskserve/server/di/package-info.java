/** Dagger wiring: builds a server's object graph from its {@link io.maskserve.server.ServerConfig}. */
package io.maskserve.server.di;
