/** The trainer's picocli commands (synth, train, export), registered as subcommands by the maskserve CLI. */
package io.maskserve.trainer.cli;
