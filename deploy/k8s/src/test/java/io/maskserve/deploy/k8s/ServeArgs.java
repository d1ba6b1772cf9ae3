package io.maskserve.deploy.k8s;

import io.maskserve.cli.Main;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.cli.ServeCommand;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Container arguments read by the real command line: {@link Main#commandLine()}, the same object
 * {@code bin/maskserve} executes, so an unknown flag, a missing required one or a bad value fails
 * here exactly as it would fail in the pod. Gives the {@link ServeCommand} they configure and its
 * {@link ServerConfig}.
 */
final class ServeArgs {

  private final List<String> args;
  private final ServeCommand command;
  private final CommandSpec spec;
  private final ParseResult serve;

  private ServeArgs(List<String> args, ServeCommand command, CommandSpec spec, ParseResult serve) {
    this.args = args;
    this.command = command;
    this.spec = spec;
    this.serve = serve;
  }

  /**
   * Parses {@code args} (the whole argument list after the launcher, {@code serve} first).
   *
   * @throws AssertionError naming the arguments and picocli's complaint when they do not parse,
   *     or when the subcommand is not {@code serve}
   */
  static ServeArgs parse(List<String> args) {
    CommandLine cl = Main.commandLine();
    ParseResult result;
    try {
      result = cl.parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError("maskserve would reject " + args + ": " + e.getMessage(), e);
    }
    if (!result.hasSubcommand() || !result.subcommand().commandSpec().name().equals("serve")) {
      throw new AssertionError("not a serve command: " + args);
    }
    ParseResult serve = result.subcommand();
    if (serve.hasSubcommand() || !serve.unmatched().isEmpty()) {
      throw new AssertionError("unexpected arguments after serve: " + serve.unmatched());
    }
    CommandSpec spec = serve.commandSpec();
    ServeCommand command = (ServeCommand) spec.userObject();
    return new ServeArgs(List.copyOf(args), command, spec, serve);
  }

  /** The options of the real serve command, each name (e.g. {@code --port}). */
  List<String> knownOptionNames() {
    List<String> names = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      names.addAll(List.of(o.names()));
    }
    return names;
  }

  /** The options given explicitly (by their longest name), in order. */
  List<String> givenOptions() {
    return serve.matchedOptions().stream().map(OptionSpec::longestName).toList();
  }

  boolean given(String option) {
    return serve.hasMatchedOption(option);
  }

  /** The command with the environment it reads tokens from replaced by {@code environment}. */
  ServeCommand command(Map<String, String> environment) {
    try {
      Field f = ServeCommand.class.getDeclaredField("environment");
      f.setAccessible(true);
      f.set(command, Map.copyOf(environment));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("ServeCommand no longer reads its environment through a field 'environment'", e);
    }
    return command;
  }

  /**
   * The configuration the arguments describe, with {@code environment} as the process
   * environment (tokens are read from it when no token file is given).
   */
  ServerConfig config(Map<String, String> environment) {
    return command(environment).config();
  }

  /** The arguments with the value of {@code option} replaced (both {@code --o v} and {@code --o=v}). */
  List<String> withValue(String option, String value) {
    List<String> out = new ArrayList<>();
    boolean replaced = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals(option) && i + 1 < args.size()) {
        out.add(a);
        out.add(value);
        i++;
        replaced = true;
      } else if (a.startsWith(option + "=")) {
        out.add(option + "=" + value);
        replaced = true;
      } else {
        out.add(a);
      }
    }
    if (!replaced) {
      out.add(option);
      out.add(value);
    }
    return out;
  }

  List<String> args() {
    return args;
  }
}
