/** The {@code serve} command, registered as a subcommand by the maskserve CLI. */
package io.maskserve.server.cli;
