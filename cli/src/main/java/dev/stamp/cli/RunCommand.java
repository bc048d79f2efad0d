package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.DetachKeys;
import dev.stamp.runtime.container.RunningContainer;
import dev.stamp.runtime.linux.Terminal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code stamp run}: create and start a container. In the foreground it returns the container's
 * exit code, its output reaching this terminal straight from the shim, and SIGINT/SIGTERM/SIGHUP
 * are forwarded to the container; with {@code -d} it prints the id and returns at once.
 */
@Command(
    name = "run",
    description = "Run a command in a new container.",
    sortOptions = false,
    modelTransformer = RunCommand.StopAtImage.class)
final class RunCommand implements Callable<Integer> {

  @ParentCommand StampCli cli;

  @Option(names = "--help", usageHelp = true, description = "Show this help.")
  boolean help;

  @Option(
      names = {"-d", "--detach"},
      description = "Run in the background and print the id.")
  boolean detach;

  @Option(
      names = {"-i", "--interactive"},
      description = "Keep stdin open and send this process's input to the container.")
  boolean interactive;

  @Option(
      names = {"-t", "--tty"},
      description = "Give the container a pseudo-terminal.")
  boolean tty;

  @Option(
      names = "--detach-keys",
      paramLabel = "KEYS",
      description = "Keys that detach from -it (default ctrl-p,ctrl-q; e.g. ctrl-x,x).")
  String detachKeys;

  @Mixin ContainerOptions container = new ContainerOptions();

  @Option(names = "--rm", description = "Remove the container when it exits.")
  boolean rm;

  @Option(names = "--name", paramLabel = "NAME", description = "Name the container.")
  String name;

  @Option(
      names = {"-h", "--hostname"},
      paramLabel = "NAME",
      description = "Container host name.")
  String hostname;

  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER[:GROUP]",
      description = "User (name or uid) from the image.")
  String user;

  @Option(
      names = {"-w", "--workdir"},
      paramLabel = "DIR",
      description = "Working directory inside the container.")
  String workdir;

  @Option(names = "--read-only", description = "Mount the root filesystem read-only.")
  boolean readOnly;

  @Option(names = "--init", description = "Run an init as PID 1 (reaps zombies, forwards signals).")
  boolean init;

  @Option(
      names = {"-p", "--publish"},
      paramLabel = "[IP:][HOST:]PORT",
      description = "Publish a container port.")
  List<String> ports = new ArrayList<>();

  @Option(
      names = {"-P", "--publish-all"},
      description = "Publish every port the image EXPOSEs on a free host port.")
  boolean publishAll;

  @Option(
      names = "--network-alias",
      paramLabel = "NAME",
      description = "Another name containers on the same network reach this one by.")
  List<String> networkAliases = new ArrayList<>();

  @Option(
      names = "--link",
      paramLabel = "NAME[:ALIAS]",
      description = "Reach container NAME (on the same network) as ALIAS too.")
  List<String> links = new ArrayList<>();

  @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "Signal for stop.")
  String stopSignal;

  @Option(names = "--stop-timeout", paramLabel = "SECONDS", description = "Grace before SIGKILL.")
  Integer stopTimeout;

  @Override
  public Integer call() throws Exception {
    DetachKeys keys = detachKeys == null ? DetachKeys.DEFAULT : DetachKeys.parse(detachKeys);
    dev.stamp.runtime.Timeline.mark("run");
    ContainerRuntime runtime = Runtimes.open(cli);
    dev.stamp.runtime.Timeline.mark("opened");
    ContainerSpec spec = spec(runtime);
    dev.stamp.runtime.Timeline.mark("spec");
    String id = runtime.create(spec);
    dev.stamp.runtime.Timeline.mark("created");
    boolean attach = !detach && (tty || interactive);
    if (!detach && !tty) {
      // Docker's sig-proxy (not with a tty), in place before the container can print anything: a
      // signal sent once its first output is seen reaches it, never the default handler
      SignalProxy.forward(runtime, id);
    }
    RunningContainer container;
    try {
      if (attach) {
        Terminal.Size size =
            (tty ? AttachSession.windowSize() : java.util.Optional.<Terminal.Size>empty())
                .orElse(new Terminal.Size(0, 0));
        container = runtime.startAttached(id, size.rows(), size.cols());
      } else {
        container = runtime.start(id, !detach);
      }
    } catch (HostRuntimeException e) {
      runtime.remove(id, true); // nothing is left half-created
      throw e;
    }
    if (detach) {
      container.close();
      System.out.println(id);
      return StampCli.EXIT_OK;
    }
    if (attach) {
      AttachSession.Outcome outcome =
          new AttachSession(container.attachment().orElseThrow(), keys, tty, interactive, true)
              .run();
      if (outcome.end() == AttachSession.End.DETACHED) {
        container.close(); // it runs on (and with --rm, removes itself when it exits)
        return StampCli.EXIT_OK;
      }
    }
    dev.stamp.runtime.Timeline.mark("started");
    int code = container.awaitExit();
    dev.stamp.runtime.Timeline.mark("exited");
    if (rm) {
      runtime.remove(id, true);
    }
    dev.stamp.runtime.Timeline.mark("removed");
    return code;
  }

  private ContainerSpec spec(ContainerRuntime runtime) throws HostRuntimeException {
    ContainerSpec.Builder b = container.builder(runtime);
    b.autoRemove(rm).readOnly(readOnly).init(init);
    b.tty(tty).openStdin(interactive);
    if (name != null) {
      b.name(name);
    }
    if (hostname != null) {
      b.hostname(hostname);
    }
    if (user != null) {
      b.user(user);
    }
    if (workdir != null) {
      b.workdir(workdir);
    }
    if (stopSignal != null) {
      b.stopSignal(stopSignal);
    }
    if (stopTimeout != null) {
      b.stopTimeout(Duration.ofSeconds(stopTimeout));
    }
    for (String p : ports) {
      ContainerOptions.parse(b, () -> runtime.network().parsePorts(p))
          .ifPresent(list -> list.forEach(b::port));
    }
    b.publishAll(publishAll);
    networkAliases.forEach(b::networkAlias);
    for (String link : links) {
      ContainerOptions.parse(b, () -> ContainerSpec.Link.parse("--link", link)).ifPresent(b::link);
    }
    return b.build();
  }

  /** Options end at the image: what follows is the container's command, dashes and all. */
  static final class StopAtImage implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      spec.parser().stopAtPositional(true);
      return spec;
    }
  }
}
