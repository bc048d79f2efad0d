package dev.stamp.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The picocli models of {@code stamp}, {@code stamp run} and {@code stamp pull} built in code: what
 * picocli would read from {@link StampCli}'s, {@link RunCommand}'s and {@link PullCommand}'s
 * annotations (and {@link ContainerOptions}'s), without the reflection and the annotation proxies
 * (Java 17 cannot archive them: ~10 ms each) that cost a CLI's start most of its ~150 ms in
 * picocli. The annotations stay the reference: {@code CliModelsTest} checks that both models have
 * the same options, help and parse results, so a flag added to one and not the other fails the
 * build. Other subcommands keep their annotation models (built only when named).
 */
final class CliModels {

  private CliModels() {}

  /** The top level: {@code --root}, {@code --debug}, {@code -h/--help}, {@code -V/--version}. */
  static CommandSpec stamp(StampCli app) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(app);
    spec.name("stamp");
    spec.versionProvider(new StampCli.Version());
    spec.usageMessage()
        .description(
            "Immutable infrastructure: build images, run containers, replace never patch.");
    spec.addOption(
        value(
            new String[] {"--root"},
            "DIR",
            "State root (default: $STAMP_ROOT, else /var/lib/stamp).",
            Path.class,
            () -> app.root,
            v -> app.root = (Path) v));
    spec.addOption(
        flag(
            new String[] {"--debug"},
            "debug",
            "Log at debug level and print stack traces.",
            () -> app.debug,
            v -> app.debug = (Boolean) v));
    // what mixinStandardHelpOptions adds (picocli's AutoHelpMixin)
    spec.addOption(
        OptionSpec.builder("-h", "--help")
            .paramLabel("<helpRequested>")
            .usageHelp(true)
            .descriptionKey("mixinStandardHelpOptions.help")
            .description("Show this help message and exit.")
            .type(boolean.class)
            .build());
    spec.addOption(
        OptionSpec.builder("-V", "--version")
            .paramLabel("<versionRequested>")
            .versionHelp(true)
            .descriptionKey("mixinStandardHelpOptions.version")
            .description("Print version information and exit.")
            .type(boolean.class)
            .build());
    return spec;
  }

  /** {@code stamp run}: options in the order its help lists them, stopping at the image. */
  static CommandSpec run(StampCli app) {
    RunCommand r = new RunCommand();
    r.cli = app;
    ContainerOptions c = r.container;
    CommandSpec spec = CommandSpec.wrapWithoutInspection(r);
    spec.name("run");
    spec.usageMessage().description("Run a command in a new container.").sortOptions(false);
    spec.parser().stopAtPositional(true);
    spec.addOption(
        OptionSpec.builder("--help")
            .paramLabel("<help>")
            .usageHelp(true)
            .description("Show this help.")
            .descriptionKey("")
            .type(boolean.class)
            .build());
    spec.addOption(
        flag(
            new String[] {"-d", "--detach"},
            "detach",
            "Run in the background and print the id.",
            () -> r.detach,
            v -> r.detach = (Boolean) v));
    spec.addOption(
        flag(
            new String[] {"-i", "--interactive"},
            "interactive",
            "Keep stdin open and send this process's input to the container.",
            () -> r.interactive,
            v -> r.interactive = (Boolean) v));
    spec.addOption(
        flag(
            new String[] {"-t", "--tty"},
            "tty",
            "Give the container a pseudo-terminal.",
            () -> r.tty,
            v -> r.tty = (Boolean) v));
    spec.addOption(
        value(
            new String[] {"--detach-keys"},
            "KEYS",
            "Keys that detach from -it (default ctrl-p,ctrl-q; e.g. ctrl-x,x).",
            String.class,
            () -> r.detachKeys,
            v -> r.detachKeys = (String) v));
    containerOptions(spec, c);
    spec.addOption(
        flag(
            new String[] {"--rm"},
            "rm",
            "Remove the container when it exits.",
            () -> r.rm,
            v -> r.rm = (Boolean) v));
    spec.addOption(
        value(
            new String[] {"--name"},
            "NAME",
            "Name the container.",
            String.class,
            () -> r.name,
            v -> r.name = (String) v));
    spec.addOption(
        value(
            new String[] {"-h", "--hostname"},
            "NAME",
            "Container host name.",
            String.class,
            () -> r.hostname,
            v -> r.hostname = (String) v));
    spec.addOption(
        value(
            new String[] {"-u", "--user"},
            "USER[:GROUP]",
            "User (name or uid) from the image.",
            String.class,
            () -> r.user,
            v -> r.user = (String) v));
    spec.addOption(
        value(
            new String[] {"-w", "--workdir"},
            "DIR",
            "Working directory inside the container.",
            String.class,
            () -> r.workdir,
            v -> r.workdir = (String) v));
    spec.addOption(
        flag(
            new String[] {"--read-only"},
            "readOnly",
            "Mount the root filesystem read-only.",
            () -> r.readOnly,
            v -> r.readOnly = (Boolean) v));
    spec.addOption(
        flag(
            new String[] {"--init"},
            "init",
            "Run an init as PID 1 (reaps zombies, forwards signals).",
            () -> r.init,
            v -> r.init = (Boolean) v));
    spec.addOption(
        list(
            new String[] {"-p", "--publish"},
            "[IP:][HOST:]PORT",
            "Publish a container port.",
            String.class,
            () -> r.ports,
            v -> r.ports = cast(v)));
    spec.addOption(
        flag(
            new String[] {"-P", "--publish-all"},
            "publishAll",
            "Publish every port the image EXPOSEs on a free host port.",
            () -> r.publishAll,
            v -> r.publishAll = (Boolean) v));
    spec.addOption(
        list(
            new String[] {"--network-alias"},
            "NAME",
            "Another name containers on the same network reach this one by.",
            String.class,
            () -> r.networkAliases,
            v -> r.networkAliases = cast(v)));
    spec.addOption(
        list(
            new String[] {"--link"},
            "NAME[:ALIAS]",
            "Reach container NAME (on the same network) as ALIAS too.",
            String.class,
            () -> r.links,
            v -> r.links = cast(v)));
    spec.addOption(
        value(
            new String[] {"--stop-signal"},
            "SIGNAL",
            "Signal for stop.",
            String.class,
            () -> r.stopSignal,
            v -> r.stopSignal = (String) v));
    spec.addOption(
        value(
            new String[] {"--stop-timeout"},
            "SECONDS",
            "Grace before SIGKILL.",
            Integer.class,
            () -> r.stopTimeout,
            v -> r.stopTimeout = (Integer) v));
    return spec;
  }

  /** {@code stamp pull}: the reference, {@code -q}, {@code --platform}. */
  static CommandSpec pull(StampCli app) {
    PullCommand p = new PullCommand();
    p.stamp = app;
    CommandSpec spec = CommandSpec.wrapWithoutInspection(p);
    p.spec = spec;
    spec.name("pull");
    spec.usageMessage()
        .description(
            "Pull an image from a registry into the local store.",
            "Mirrors from ROOT/config/registries.json are tried first; blobs already in the store"
                + " are not fetched again; every blob is digest-verified. Credentials come from"
                + " $DOCKER_CONFIG/config.json (default ~/.docker/config.json).");
    Binding reference = new Binding(() -> p.reference, v -> p.reference = (String) v);
    spec.addPositional(
        PositionalParamSpec.builder()
            .paramLabel("REF")
            .required(true)
            .description("Image reference, e.g. busybox:1.36")
            .type(String.class)
            .getter(reference)
            .setter(reference)
            .initialValue(null)
            .descriptionKey("")
            .build());
    spec.addOption(
        flag(
            new String[] {"-q", "--quiet"},
            "quiet",
            "Print only the full reference of the pulled image.",
            () -> p.quiet,
            v -> p.quiet = (Boolean) v));
    spec.addOption(
        value(
            new String[] {"--platform"},
            "OS/ARCH[/VARIANT]",
            "Platform to pick from a multi-platform image (default: this host's).",
            String.class,
            () -> p.platform,
            v -> p.platform = (String) v));
    return spec;
  }

  /** {@link ContainerOptions}' options and its positional parameters, in its field order. */
  private static void containerOptions(CommandSpec spec, ContainerOptions c) {
    spec.addOption(
        list(
            new String[] {"-e", "--env"},
            "KEY=VALUE",
            "Set an environment variable.",
            String.class,
            () -> c.env,
            v -> c.env = cast(v)));
    spec.addOption(
        list(
            new String[] {"--env-file"},
            "FILE",
            "Read KEY=VALUE lines.",
            Path.class,
            () -> c.envFiles,
            v -> c.envFiles = cast(v)));
    spec.addOption(
        list(
            new String[] {"-v", "--volume"},
            "SRC:DST[:ro]",
            "Bind mount a host path or a named volume.",
            String.class,
            () -> c.volumes,
            v -> c.volumes = cast(v)));
    spec.addOption(
        value(
            new String[] {"-m", "--memory"},
            "SIZE",
            "Memory limit (256m, 1g).",
            String.class,
            () -> c.memory,
            v -> c.memory = (String) v));
    spec.addOption(
        value(
            new String[] {"--cpus"},
            "N",
            "CPU limit (0.5 = half a CPU).",
            String.class,
            () -> c.cpus,
            v -> c.cpus = (String) v));
    spec.addOption(
        value(
            new String[] {"--pids-limit"},
            "N",
            "Process limit.",
            String.class,
            () -> c.pidsLimit,
            v -> c.pidsLimit = (String) v));
    spec.addOption(
        value(
            new String[] {"--entrypoint"},
            "CMD",
            "Replace the entrypoint.",
            String.class,
            () -> c.entrypoint,
            v -> c.entrypoint = (String) v));
    spec.addOption(
        value(
            new String[] {"--network", "--net"},
            "MODE",
            "none, host, or a network name.",
            String.class,
            () -> c.network,
            v -> c.network = (String) v));
    spec.addOption(
        value(
            new String[] {"--rootfs"},
            "DIR",
            "Use a plain directory as the root filesystem instead of an image.",
            Path.class,
            () -> c.rootfs,
            v -> c.rootfs = (Path) v));
    spec.addOption(
        list(
            new String[] {"--security-opt"},
            "OPT",
            "seccomp=FILE (a seccomp profile in Docker's JSON format), seccomp=unconfined (no"
                + " filter); default: Docker's default profile. no-new-privileges is always on.",
            String.class,
            () -> c.securityOpts,
            v -> c.securityOpts = cast(v)));
    Binding args = new Binding(() -> c.args, v -> c.args = cast(v));
    spec.addPositional(
        PositionalParamSpec.builder()
            .paramLabel("IMAGE [COMMAND [ARG...]]")
            .arity("0..1")
            .description("Image, then the command.")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .getter(args)
            .setter(args)
            .initialValue(c.args)
            .descriptionKey("")
            .build());
  }

  /**
   * A boolean option of field {@code field}: picocli labels it {@code <field>} (never shown), as it
   * does a field's annotation.
   */
  private static OptionSpec flag(
      String[] names,
      String field,
      String description,
      Supplier<Object> get,
      Consumer<Object> set) {
    return bound(OptionSpec.builder(names), get, set)
        .paramLabel("<" + field + ">")
        .description(description)
        .type(boolean.class)
        .build();
  }

  /**
   * Binds the option to a field and takes the field's value now as the initial value picocli
   * restores before each parse (as it does for an annotated field); no description key.
   */
  private static OptionSpec.Builder bound(
      OptionSpec.Builder option, Supplier<Object> get, Consumer<Object> set) {
    Binding b = new Binding(get, set);
    return option.getter(b).setter(b).initialValue(get.get()).descriptionKey("");
  }

  private static OptionSpec value(
      String[] names,
      String paramLabel,
      String description,
      Class<?> type,
      Supplier<Object> get,
      Consumer<Object> set) {
    return bound(OptionSpec.builder(names), get, set)
        .paramLabel(paramLabel)
        .description(description)
        .type(type)
        .build();
  }

  private static OptionSpec list(
      String[] names,
      String paramLabel,
      String description,
      Class<?> element,
      Supplier<Object> get,
      Consumer<Object> set) {
    return bound(OptionSpec.builder(names), get, set)
        .paramLabel(paramLabel)
        .description(description)
        .type(List.class)
        .auxiliaryTypes(element)
        .build();
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> cast(Object list) {
    return (List<T>) list;
  }

  /** A field of a command object, as picocli reads and sets it. */
  private static final class Binding implements IGetter, ISetter {
    private final Supplier<Object> get;
    private final Consumer<Object> set;

    Binding(Supplier<Object> get, Consumer<Object> set) {
      this.get = get;
      this.set = set;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
      return (T) get.get();
    }

    @Override
    public <T> T set(T value) {
      T old = get();
      set.accept(value);
      return old;
    }
  }
}
