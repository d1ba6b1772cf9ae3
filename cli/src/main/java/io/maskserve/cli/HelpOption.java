package io.maskserve.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} only: subcommands with a {@code --version V} option cannot use picocli's
 * standard help options, which include {@code -V, --version}.
 */
final class HelpOption {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
}
