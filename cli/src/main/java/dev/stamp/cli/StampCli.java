package dev.stamp.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.recovery.RootRecovery;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    description = "Immutable infrastructure: build images, run containers, replace never patch.")
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

  /** The caller's environment: this process's, or the one a {@link HandOff} caller sent. */
  private Map<String, String> env = System.getenv();

  /** Where a relative {@code --root} is (the caller's directory under a hand-off), or null. */
  private Path cwd;

  /** The state root this invocation works on. */
  public StampRoot root() {
    return StampRoot.resolve(root == null || cwd == null ? root : cwd.resolve(root), env);
  }

  /** The caller's environment (credentials, {@code STAMP_ROOT}). */
  Map<String, String> env() {
    return env;
  }

  public boolean debug() {
    return debug;
  }

  /**
   * The subcommands in the order help lists them. Each class is loaded only when its name is asked
   * for: picocli reflects over every option and field type of a subcommand it is given (and so
   * loads Jackson, the agent and the builder for the whole list), which cost ~150 ms before {@code
   * run} could start.
   */
  static final List<String> SUBCOMMANDS =
      List.of(
          "generate-completion",
          "import",
          "images",
          "tag",
          "rmi",
          "dockerfile",
          "run",
          "attach",
          "ps",
          "port",
          "service",
          "logs",
          "stop",
          "rm",
          "inspect",
          "pull",
          "push",
          "build",
          "stats",
          "top",
          "exec",
          "search",
          "demo",
          "agent",
          "plan",
          "controller",
          "sync",
          "status",
          "history",
          "rollback",
          "up",
          "down",
          "lint",
          "system");

  /**
   * The commands that never touch the local state root (the controller's clients, offline checks of
   * files, a registry search, completion); every other command works on it and runs the root's
   * recovery pass before it starts ({@link RootRecovery#onOpen}). {@code system check} runs its
   * own, visible one. A new command opens the root unless it is named here.
   */
  static final java.util.Set<String> LEAVES_ROOT =
      java.util.Set.of(
          "generate-completion",
          "dockerfile",
          "search",
          "plan",
          "sync",
          "status",
          "history",
          "rollback",
          "lint",
          "system");

  static Class<?> subcommand(String name) {
    return switch (name) {
      case "generate-completion" -> AutoComplete.GenerateCompletion.class;
      case "import" -> ImportCommand.class;
      case "images" -> ImagesCommand.class;
      case "tag" -> TagCommand.class;
      case "rmi" -> RmiCommand.class;
      case "dockerfile" -> DockerfileCommand.class;
      case "run" -> RunCommand.class;
      case "attach" -> AttachCommand.class;
      case "ps" -> PsCommand.class;
      case "port" -> PortCommand.class;
      case "service" -> ServiceCommand.class;
      case "logs" -> LogsCommand.class;
      case "stop" -> StopCommand.class;
      case "rm" -> RmCommand.class;
      case "inspect" -> InspectCommand.class;
      case "pull" -> PullCommand.class;
      case "push" -> PushCommand.class;
      case "build" -> BuildCommand.class;
      case "stats" -> StatsCommand.class;
      case "top" -> TopCommand.class;
      case "exec" -> ExecCommand.class;
      case "search" -> SearchCommand.class;
      case "demo" -> DemoCommand.class;
      case "agent" -> AgentCommand.class;
      case "plan" -> PlanCommand.class;
      case "controller" -> ControllerCommand.class;
      case "sync" -> SyncCommand.class;
      case "status" -> StatusCommand.class;
      case "history" -> HistoryCommand.class;
      case "rollback" -> RollbackCommand.class;
      case "up" -> UpCommand.class;
      case "down" -> DownCommand.class;
      case "lint" -> LintCommand.class;
      case "system" -> SystemCommand.class;
      default -> throw new IllegalArgumentException(name);
    };
  }

  public static void main(String[] args) {
    dev.stamp.runtime.Timeline.mark("main");
    String command = commandWord(args);
    boolean shortLived = !"agent".equals(command) && !"demo".equals(command);
    // attach: a detach must end the process at once (what is typed next belongs to the host shell)
    if (shortLived
        && !"attach".equals(command)
        && System.getProperty("jnr.ffi.asm.enabled") == null) {
      // A short-lived CLI calls a few libc functions a few times: jnr-ffi's reflection loader binds
      // each function on its first call, where the default ASM loader generates and compiles a stub
      // for every LibC function when the binding loads (~100 ms). The agent keeps the fast stubs.
      System.setProperty("jnr.ffi.asm.enabled", "false");
    }
    if (shortLived
        && !List.of(args).contains("--debug")
        && System.getProperty("slf4j.provider") == null
        && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("slf4j.provider", StderrLogging.class.getName()); // warnings, no logback
      System.setProperty("slf4j.internal.verbosity", "WARN"); // no line about the choice
    }
    int code = run(args);
    dev.stamp.runtime.Timeline.mark("exit");
    System.exit(code);
  }

  /** Runs the CLI and returns its exit code (for tests and the launcher). */
  public static int run(String... args) {
    CommandLine cli = commandLine(args);
    return cli.execute(args);
  }

  /**
   * Runs {@code args} for a caller a {@link HandOff} serves, in this process: output to {@code out}
   * and {@code err}, and the caller's environment and directory in place of this process's.
   */
  static int runFor(
      String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd) {
    StampCli app = new StampCli();
    app.env = env;
    app.cwd = cwd;
    String command = commandWord(args);
    CommandLine cli = commandLine(command == null ? List.of() : List.of(command), app);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  /** The command line with every subcommand (help, completion, tests). */
  static CommandLine commandLine() {
    return commandLine(SUBCOMMANDS);
  }

  /**
   * The command line for these arguments: only the subcommand they name when they name one, only
   * the top level for a bare {@code --version}, else every subcommand (help, usage errors with
   * suggestions, completion).
   */
  static CommandLine commandLine(String[] args) {
    String command = commandWord(args);
    if (command != null && !command.equals("generate-completion")) {
      return commandLine(List.of(command));
    }
    if (command == null
        && args.length == 1
        && (args[0].equals("-V") || args[0].equals("--version"))) {
      return commandLine(List.of());
    }
    return commandLine(SUBCOMMANDS);
  }

  /** The subcommand the arguments name (the first word after the top-level options), or null. */
  static String commandWord(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--root")) {
        i++; // its value
      } else if (!arg.startsWith("-")) {
        return SUBCOMMANDS.contains(arg) ? arg : null;
      }
    }
    return null;
  }

  private static CommandLine commandLine(List<String> subcommands) {
    return commandLine(subcommands, new StampCli());
  }

  private static CommandLine commandLine(List<String> subcommands, StampCli app) {
    // stamp, run and pull: models built in code (CliModels), not read from the annotations
    CommandLine cli = new CommandLine(CliModels.stamp(app));
    for (String name : subcommands) {
      // its own CommandLine, so that its model transformer runs (picocli applies transformers only
      // to the hierarchy a CommandLine is constructed with)
      CommandLine sub =
          name.equals("run")
              ? new CommandLine(CliModels.run(app))
              : name.equals("pull")
                  ? new CommandLine(CliModels.pull(app))
                  : new CommandLine(subcommand(name));
      withHelp(sub);
      cli.addSubcommand(name, sub);
    }
    cli.setExecutionStrategy(
        parseResult -> {
          if (app.debug) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.DEBUG);
          }
          CommandLine.ParseResult sub = parseResult.subcommand();
          if (sub != null
              && !LEAVES_ROOT.contains(sub.commandSpec().name())
              && !sub.isUsageHelpRequested()
              && (sub.subcommand() == null || !sub.subcommand().isUsageHelpRequested())) {
            try {
              RootRecovery.onOpen(app.root());
            } catch (StampException e) {
              return onFailure(e, cli, app.debug);
            }
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    cli.setParameterExceptionHandler(StampCli::onBadUsage);
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> onFailure(ex, commandLine, app.debug));
    CommandLine completion = cli.getSubcommands().get("generate-completion");
    if (completion != null) {
      completion.getCommandSpec().usageMessage().hidden(false);
    }
    return cli;
  }

  /**
   * Gives {@code cmd} and its own subcommands a {@code --help} where they have none (the top
   * level's is not inherited), so that the hint every usage error prints, {@code See 'stamp X
   * --help'}, works for every command.
   */
  static void withHelp(CommandLine cmd) {
    CommandLine.Model.CommandSpec spec = cmd.getCommandSpec();
    if (spec.optionsMap().get("--help") == null) {
      spec.addOption(
          CommandLine.Model.OptionSpec.builder("--help")
              .usageHelp(true)
              .description("Show this help message and exit.")
              .build());
    }
    cmd.getSubcommands().values().forEach(StampCli::withHelp);
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
