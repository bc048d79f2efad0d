package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ExecOptions;
import dev.stamp.runtime.container.SpecText;
import dev.stamp.runtime.linux.Terminal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code stamp exec [-i] [-e K=V] [-u USER] [-w DIR] C CMD...}: a command in a running container,
 * as {@code docker exec}: its output streamed to this process's stdout/stderr, its exit code
 * returned (126 when it could not be started, 127 when not found). The container is marked exec'd
 * (drift reports show when). {@code -t}: a pty from the container's devpts, relayed by the exec'd
 * shim; with {@code -it} this terminal is raw until the command exits (restored on SIGTERM/HUP).
 */
@Command(
    name = "exec",
    description = "Run a command in a running container.",
    sortOptions = false,
    modelTransformer = RunCommand.StopAtImage.class)
final class ExecCommand implements Callable<Integer> {

  @ParentCommand StampCli cli;

  @Option(names = "--help", usageHelp = true, description = "Show this help.")
  boolean help;

  @Option(
      names = {"-i", "--interactive"},
      description = "Pass this process's stdin to the command.")
  boolean interactive;

  @Option(
      names = {"-t", "--tty"},
      description = "Give the command a pseudo-terminal.")
  boolean tty;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "KEY=VALUE",
      description = "Set a variable (KEY alone: this process's value).")
  List<String> env = new ArrayList<>();

  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER[:GROUP]",
      description = "User (name or uid) from the container's /etc/passwd.")
  String user;

  @Option(
      names = {"-w", "--workdir"},
      paramLabel = "DIR",
      description = "Working directory inside the container (absolute).")
  String workdir;

  @Parameters(paramLabel = "CONTAINER COMMAND [ARG...]", description = "Container, then command.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (tty && interactive && !Terminal.isTerminal(0)) {
      throw HostRuntimeException.badInput(
          "exec -it: expected a terminal on stdin (pipe input with -i alone)");
    }
    if (args.size() < 2) {
      throw HostRuntimeException.badInput(
          "exec: expected CONTAINER COMMAND [ARG...], got " + String.join(" ", args));
    }
    if (workdir != null && !workdir.startsWith("/")) {
      throw HostRuntimeException.badInput(
          "exec -w " + workdir + ": expected an absolute path inside the container");
    }
    Map<String, String> vars = new LinkedHashMap<>();
    for (String e : env) {
      SpecText.env("-e", e, System.getenv()).ifPresent(kv -> vars.put(kv.getKey(), kv.getValue()));
    }
    ContainerRuntime runtime = Runtimes.open(cli);
    Process p =
        runtime.execStreaming(
            args.get(0),
            new ExecOptions(
                args.subList(1, args.size()),
                vars,
                Optional.ofNullable(user),
                Optional.ofNullable(workdir),
                interactive,
                tty));
    Terminal.RawMode raw = tty && interactive ? Terminal.raw(0) : null;
    try {
      return p.waitFor();
    } finally {
      if (raw != null) {
        raw.close();
      }
    }
  }
}
