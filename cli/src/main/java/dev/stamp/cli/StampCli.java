package dev.stamp.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code stamp} command. Exit codes: 0 ok, 1 the operation failed, 2 bad usage or bad input. A
 * failure prints one line for the user; the stack trace only with {@code --debug}.
 */
@Command(
    name = "stamp",
    mixinStandardHelpOptions = true,
    versionProvider = StampCli.Version.class,
    description = "Immutable infrastructure: build images, run containers, replace never patch.",
    subcommands = {
      AutoComplete.GenerateCompletion.class,
      ImportCommand.class,
      ImagesCommand.class,
      TagCommand.class,
      RmiCommand.class,
      DockerfileCommand.class,
      RunCommand.class,
      AttachCommand.class,
      PsCommand.class,
      PortCommand.class,
      ServiceCommand.class,
      LogsCommand.class,
      StopCommand.class,
      RmCommand.class,
      InspectCommand.class,
      PullCommand.class,
      PushCommand.class,
      BuildCommand.class,
      StatsCommand.class,
      TopCommand.class,
      ExecCommand.class,
      SearchCommand.class,
      DemoCommand.class,
      AgentCommand.class,
      PlanCommand.class
    })
public final class StampCli {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "State root (default: $STAMP_ROOT, else /var/lib/stamp).")
  Path root;

  @Option(names = "--debug", description = "Log at debug level and print stack traces.")
  boolean debug;

  /** The state root this invocation works on. */
  public StampRoot root() {
    return StampRoot.resolve(root, System.getenv());
  }

  public boolean debug() {
    return debug;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (for tests and the launcher). */
  public static int run(String... args) {
    CommandLine cli = commandLine();
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    StampCli app = new StampCli();
    CommandLine cli = new CommandLine(app);
    cli.setExecutionStrategy(
        parseResult -> {
          if (app.debug) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.DEBUG);
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    cli.setParameterExceptionHandler(StampCli::onBadUsage);
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> onFailure(ex, commandLine, app.debug));
    cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return cli;
  }

  private static int onBadUsage(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("stamp: " + ex.getMessage());
    err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    return EXIT_USAGE;
  }

  private static int onFailure(Exception ex, CommandLine cmd, boolean debug) {
    PrintWriter err = cmd.getErr();
    if (debug) {
      ex.printStackTrace(err);
    }
    if (ex instanceof StampException se) {
      err.println("stamp: " + se.getMessage());
      return se.kind().exitCode();
    }
    if (ex instanceof CommandLine.ParameterException) {
      err.println("stamp: " + ex.getMessage());
      return EXIT_USAGE;
    }
    String what = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    err.println(
        "stamp: internal error: " + what + (debug ? "" : " (run with --debug for details)"));
    return EXIT_FAILED;
  }

  /** Reads the version the build wrote into {@code stamp-version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = StampCli.class.getResourceAsStream("/stamp-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {
        "stamp " + p.getProperty("version", "unknown"),
        "java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }
}
