package dev.stamp.cli;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.SpecText;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.network.lb.HealthTransition;
import dev.stamp.runtime.service.ServiceInfo;
import dev.stamp.runtime.service.ServiceRecord;
import dev.stamp.runtime.service.ServiceState;
import dev.stamp.runtime.service.Services;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code stamp service run|ls|rm}: several replicas of one image on this host behind its published
 * ports (none, one or several), connections balanced over the healthy ones. On a state root that a
 * running {@code stamp agent} serves, {@code run} and {@code rm} go through that agent ({@link
 * ServiceAgent}: its engine runs the service, one writer per root); otherwise the logic is {@link
 * Services} (host-runtime, the library the agent's engine calls) in this process. This only reads
 * flags and prints.
 */
@Command(
    name = "service",
    description = "Run replicated services behind their published ports.",
    subcommands = {
      ServiceCommand.Run.class,
      ServiceCommand.Ls.class,
      ServiceCommand.Rm.class,
      ServiceCommand.Monitor.class
    })
final class ServiceCommand {

  @ParentCommand StampCli cli;

  static Services services(StampCli cli) throws HostRuntimeException {
    ContainerRuntime runtime = Runtimes.open(cli);
    return Services.open(cli.root(), runtime);
  }

  /** {@code stamp service run --name web --replicas 3 -p 8080:80 [health flags] IMAGE [CMD]}. */
  @Command(
      name = "run",
      description = "Start N replicas behind zero or more published ports, health-checked.",
      sortOptions = false,
      modelTransformer = RunCommand.StopAtImage.class)
  static final class Run implements Callable<Integer> {

    @ParentCommand ServiceCommand parent;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Service name.")
    String name;

    @Option(names = "--replicas", paramLabel = "N", description = "Replicas (default 1).")
    int replicas = 1;

    @Option(
        names = {"-p", "--publish"},
        paramLabel = "[IP:][HOST:]PORT",
        description =
            "A published port (HOST 0 or absent: any free port); repeat for several, all switched"
                + " together; none: the replicas are reached only on their network.")
    List<String> publish = new ArrayList<>();

    @Option(
        names = "--health-cmd",
        paramLabel = "CMD",
        description = "Shell command run in each replica (CMD-SHELL); exit 0 = healthy.")
    String healthCmd;

    @Option(
        names = "--health-url",
        paramLabel = "PATH",
        description = "HTTP GET of PATH on each replica from the host; 2xx/3xx = healthy.")
    String healthUrl;

    @Option(
        names = "--health-tcp",
        description = "TCP connect to each replica from the host (without a check of the image's).")
    boolean healthTcp;

    @Option(
        names = "--no-healthcheck",
        description = "No health checking, not even the image's HEALTHCHECK.")
    boolean noHealthcheck;

    @Option(
        names = "--health-interval",
        paramLabel = "DURATION",
        description = "Time between probes (default: the image's, else 5s).")
    String healthInterval;

    @Option(
        names = "--health-timeout",
        paramLabel = "DURATION",
        description = "Time a probe may take (default: the image's, else 2s).")
    String healthTimeout;

    @Option(
        names = "--health-retries",
        paramLabel = "N",
        description =
            "Failures in a row that make a replica unhealthy (default: the image's, else 3).")
    Integer healthRetries;

    @Option(
        names = "--health-start-period",
        paramLabel = "DURATION",
        description = "Grace after start before failures count (default: the image's, else 0s).")
    String healthStartPeriod;

    @Option(
        names = "--health-start-interval",
        paramLabel = "DURATION",
        description =
            "Time between probes during the start period (default: the image's, else 5s).")
    String healthStartInterval;

    @Option(
        names = {"-d", "--detach"},
        description = "Keep the health monitor running in the background and return.")
    boolean detach;

    @Mixin ContainerOptions container = new ContainerOptions();

    @Override
    public Integer call() throws Exception {
      StampCli cli = parent.cli;
      Services services = services(cli);
      List<PortMapping> fronts = new ArrayList<>();
      for (String spec : publish) {
        fronts.addAll(PortMapping.parseAll(spec));
      }
      HealthCheck health = health();
      Optional<ServiceAgent> agent = ServiceAgent.of(cli.root());
      if (agent.isPresent()) {
        return runOnAgent(cli, agent.get(), fronts, health);
      }
      ServiceRecord record = services.run(name, replicas, fronts, health, template(cli));
      if (detach) {
        services.recordMonitor(name, startMonitorProcess(cli));
        System.out.println(name + "\t" + describe(record.fronts()));
        return StampCli.EXIT_OK;
      }
      System.out.println(
          name + "\t" + describe(record.fronts()) + "\t(Ctrl-C removes the service)");
      services.recordMonitor(name, ProcessId.of((int) ProcessHandle.current().pid()).orElse(null));
      removeOnExit(() -> services.remove(name));
      services.monitor(name, ServiceCommand::print);
      return StampCli.EXIT_OK;
    }

    /**
     * The service as the agent's desired state: printed once the agent serves it; in the
     * foreground, Ctrl-C deletes it again.
     */
    private int runOnAgent(
        StampCli cli, ServiceAgent agent, List<PortMapping> fronts, HealthCheck health)
        throws Exception {
      ServiceSpec spec =
          ServiceAgent.spec(cli.root(), template(cli), fronts, health, replicas, agent.describe());
      agent.run(name, spec);
      if (detach) {
        System.out.println(name + "\t" + describe(fronts));
        return StampCli.EXIT_OK;
      }
      System.out.println(
          name
              + "\t"
              + describe(fronts)
              + "\t(run by "
              + agent.describe()
              + "; Ctrl-C removes it)");
      removeOnExit(() -> agent.remove(name));
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return StampCli.EXIT_OK;
    }

    /**
     * The service's check from the flags: a test of its own (or none: the image's HEALTHCHECK, else
     * a TCP connect), timings given override the image's. Every bad flag is reported at once.
     */
    HealthCheck health() throws HostRuntimeException {
      List<String> problems = new ArrayList<>();
      long tests =
          (healthCmd != null ? 1 : 0)
              + (healthUrl != null ? 1 : 0)
              + (healthTcp ? 1 : 0)
              + (noHealthcheck ? 1 : 0);
      if (tests > 1) {
        problems.add("give one of --health-cmd, --health-url, --health-tcp, --no-healthcheck");
      }
      HealthCheck check =
          noHealthcheck
              ? HealthCheck.none()
              : healthCmd != null
                  ? HealthCheck.shell(healthCmd)
                  : healthUrl != null
                      ? HealthCheck.http(healthUrl)
                      : healthTcp ? HealthCheck.tcp() : HealthCheck.inherit();
      if (healthCmd != null && healthCmd.isBlank()) {
        problems.add("--health-cmd \"" + healthCmd + "\": give a command");
      }
      if (healthUrl != null && !healthUrl.startsWith("/")) {
        problems.add("--health-url " + healthUrl + ": expected an absolute path like /health");
      }
      if (healthRetries != null) {
        if (healthRetries < 1) {
          problems.add("--health-retries " + healthRetries + ": must be at least 1");
        }
        check = check.withRetries(healthRetries);
      }
      check =
          duration(problems, "--health-interval", healthInterval, check, HealthCheck::withInterval);
      check =
          duration(problems, "--health-timeout", healthTimeout, check, HealthCheck::withTimeout);
      check =
          duration(
              problems,
              "--health-start-period",
              healthStartPeriod,
              check,
              HealthCheck::withStartPeriod);
      check =
          duration(
              problems,
              "--health-start-interval",
              healthStartInterval,
              check,
              HealthCheck::withStartInterval);
      if (problems.isEmpty()) {
        problems.addAll(check.problems("health check"));
      }
      if (!problems.isEmpty()) {
        throw HostRuntimeException.badInput(String.join("; ", problems));
      }
      return check;
    }

    private static HealthCheck duration(
        List<String> problems,
        String flag,
        String text,
        HealthCheck check,
        java.util.function.BiFunction<HealthCheck, java.time.Duration, HealthCheck> with) {
      if (text == null) {
        return check;
      }
      try {
        java.time.Duration d = SpecText.duration(flag, text);
        if (d.isZero() && !flag.equals("--health-start-period")) {
          problems.add(flag + " " + text + ": must be at least 1ms");
        }
        return with.apply(check, d);
      } catch (HostRuntimeException e) {
        problems.add(e.getMessage());
        return check;
      }
    }

    private ContainerSpec template(StampCli cli) throws HostRuntimeException {
      ContainerRuntime runtime = Runtimes.open(cli);
      return container.builder(runtime).build();
    }

    /** This CLI again, as {@code service monitor NAME}, in a session of its own. */
    private ProcessId startMonitorProcess(StampCli cli) throws HostRuntimeException {
      Path log = cli.root().path().resolve("services").resolve(name + ".log");
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> command =
          List.of(
              "setsid",
              java,
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-Xmx64m",
              "-cp",
              System.getProperty("java.class.path"),
              StampCli.class.getName(),
              "--root",
              cli.root().path().toString(),
              "service",
              "monitor",
              name);
      try {
        Files.createDirectories(log.getParent());
        Process process =
            new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true)
                .start();
        return ProcessId.of((int) process.pid())
            .orElseThrow(() -> new java.io.IOException("it exited at once (see " + log + ")"));
      } catch (java.io.IOException e) {
        removeQuietly(services(cli));
        throw HostRuntimeException.failed(
            "run service " + name + ": start its health monitor: " + e.getMessage(), e);
      }
    }

    private void removeQuietly(Services services) {
      removeQuietly(() -> services.remove(name));
    }

    /** A removal of the service that may fail (said on stderr). */
    private interface Removal {
      void remove() throws HostRuntimeException;
    }

    private static void removeQuietly(Removal removal) {
      try {
        removal.remove();
      } catch (HostRuntimeException e) {
        System.err.println("stamp: " + e.getMessage());
      }
    }

    /** Ctrl-C (or SIGTERM) of a foreground run: this thread is interrupted, the service removed. */
    private static void removeOnExit(Removal removal) {
      Thread foreground = Thread.currentThread();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    foreground.interrupt();
                    removeQuietly(removal);
                  }));
    }
  }

  /** {@code 0.0.0.0:8080->80/tcp, 0.0.0.0:8443->443/tcp}; {@code -} for no published port. */
  static String describe(List<PortMapping> fronts) {
    return fronts.isEmpty()
        ? "-"
        : String.join(", ", fronts.stream().map(PortMapping::describe).toList());
  }

  /** {@code stamp service ls}. */
  @Command(name = "ls", description = "List services.")
  static final class Ls implements Callable<Integer> {

    @ParentCommand ServiceCommand parent;

    @Override
    public Integer call() throws Exception {
      String format = "%-16s  %-16s  %-24s  %-20s  %s%n";
      System.out.printf(format, "NAME", "REPLICAS", "PORTS", "HEALTH CHECK", "MONITOR");
      for (ServiceInfo info : services(parent.cli).list()) {
        ServiceRecord r = info.record();
        System.out.printf(
            format,
            r.name(),
            info.monitorRunning()
                ? info.healthy() + "/" + r.replicas() + " healthy"
                : r.replicas() + (r.state() == ServiceState.RUNNING ? "" : " " + r.state().label()),
            describe(r.fronts()),
            r.health().describe(),
            info.monitorRunning() ? "running" : "stopped");
      }
      return StampCli.EXIT_OK;
    }
  }

  /** {@code stamp service rm NAME...}. */
  @Command(name = "rm", description = "Remove services: monitor, published port, replicas.")
  static final class Rm implements Callable<Integer> {

    @ParentCommand ServiceCommand parent;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Services to remove.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Services services = services(parent.cli);
      Optional<ServiceAgent> agent = ServiceAgent.of(parent.cli.root());
      for (String name : names) {
        if (agent.isPresent() && agent.get().runs(name)) {
          agent.get().remove(name);
        } else {
          services.remove(name);
        }
        System.out.println(name);
      }
      return StampCli.EXIT_OK;
    }
  }

  /** The detached health monitor {@code service run -d} starts; runs until the service goes. */
  @Command(name = "monitor", hidden = true, description = "Run a service's health monitor.")
  static final class Monitor implements Callable<Integer> {

    @ParentCommand ServiceCommand parent;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      Thread main = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(main::interrupt));
      services(parent.cli).monitor(name, ServiceCommand::print);
      return StampCli.EXIT_OK;
    }
  }

  private static void print(HealthTransition t) {
    System.out.println(
        t.service()
            + ": "
            + t.backend().endpoint()
            + " is "
            + t.to().name().toLowerCase()
            + " ("
            + t.cause().output()
            + ")");
    System.out.flush();
  }
}
