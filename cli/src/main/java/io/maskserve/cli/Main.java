package io.maskserve.cli;

import io.maskserve.client.MaskserveException;
import io.maskserve.server.cli.ServeCommand;
import io.maskserve.trainer.cli.ExportCommand;
import io.maskserve.trainer.cli.SynthCommand;
import io.maskserve.trainer.cli.TrainCommand;
import io.maskserve.zoo.ZooException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import io.maskserve.cli.evaluate.EvaluateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code maskserve} command: {@code serve}, {@code zoo ...}, {@code explain}, {@code evaluate}, {@code autodiff}. Errors print one
 * line to stderr ({@code maskserve <subcommand>: <what went wrong>}) and exit non-zero: 2 for a
 * usage error, 1 for a failure. Set {@code -Dmaskserve.debug=true} for stack traces.
 */
@Command(
    name = "maskserve",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Explain image classifiers with discrete masks from a trained generator, served over gRPC.",
    footer = {"", "Run 'maskserve COMMAND --help' for a command's options."})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (demo, serve, zoo, explain, evaluate, autodiff, synth, train or export)");
  }

  public static void main(String[] args) {
    // Only the server logs at info; the client-side commands print their own results.
    if ((args.length == 0 || !args[0].equals("serve"))
        && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (for tests: set out/err with setOut/setErr, then execute). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand("demo", new DemoCommand());
    cl.addSubcommand("serve", new ServeCommand());
    cl.addSubcommand("zoo", new ZooCommand());
    cl.addSubcommand("explain", new ExplainCommand());
    cl.addSubcommand("autodiff", new AutodiffCommand());
    cl.addSubcommand("synth", new SynthCommand());
    cl.addSubcommand("train", new TrainCommand());
    cl.addSubcommand("export", new ExportCommand());
    cl.addSubcommand("evaluate", new EvaluateCommand());
    cl.setExecutionExceptionHandler(Main::onFailure);
    cl.setParameterExceptionHandler(Main::onUsageError);
    return cl;
  }

  /** One line per failure, the command's qualified name first. */
  private static int onFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    err.println(cl.getCommandSpec().qualifiedName() + ": " + describe(e));
    if (Boolean.getBoolean("maskserve.debug")) {
      e.printStackTrace(err);
    }
    err.flush();
    return cl.getCommandSpec().exitCodeOnExecutionException();
  }

  private static int onUsageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName();
    String msg = String.valueOf(e.getMessage()).replaceFirst("^Error: ", "");
    err.println(name + ": " + msg + " (see '" + name + " --help')");
    err.flush();
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** A one-line description of a failure. */
  static String describe(Throwable e) {
    if (e instanceof MaskserveException m) {
      // The server says nothing more (on purpose); say where the token comes from.
      return switch (m.code()) {
        case UNAUTHENTICATED -> m.getMessage() + " (give the token with --token-file FILE or " + ConnectionOptions.TOKEN_VARIABLE + ")";
        case PERMISSION_DENIED -> m.getMessage() + " (changing the zoo needs the server's admin token)";
        default -> m.getMessage();
      };
    }
    if (e instanceof ZooException z) {
      return z.reason() + ": " + z.getMessage();
    }
    if (e instanceof UncheckedIOException u) {
      return u.getMessage();
    }
    if (e instanceof CliException || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    return e.toString();
  }

  /** {@code maskserve --version}: the jar's Implementation-Version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"maskserve " + (v == null ? "(development build)" : v)};
    }
  }
}
