package dev.stamp.runtime.container;

import dev.stamp.runtime.BackgroundStep;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.Timeline;
import dev.stamp.runtime.linux.CgroupStats;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.linux.ProcessWatch;
import dev.stamp.runtime.linux.ShimBinary;
import dev.stamp.runtime.linux.ShimLauncher;
import dev.stamp.runtime.linux.ShimLauncher.StatusPipe;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PendingAttachment;
import dev.stamp.runtime.seccomp.SeccompFilters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Stamp's container runtime: create, start, wait, stop, kill, remove, list, inspect. Every
 * operation works from the files under {@code ROOT/containers}, so any process (the CLI, the agent,
 * a later CLI) sees the same truth; nothing is cached.
 */
public final class ContainerRuntime {

  private final ContainerStore store;
  private final Cgroups cgroups;
  private final RootfsSource images;
  private final ContainerNetwork network;
  private final StampRoot root;
  private final Executor diskCleanup;
  private final Optional<StandbyPool> standbys;
  private final Map<String, StandbyPool.Standby> assigned = new ConcurrentHashMap<>();
  private final SeccompFilters seccomp;
  private volatile ShimLauncher launcher;
  private volatile Path shimPath;

  /** A runtime that deletes a removed container's files before {@code remove} returns. */
  public ContainerRuntime(
      StampRoot root, Cgroups cgroups, RootfsSource images, ContainerNetwork network) {
    this(root, cgroups, images, network, Runnable::run, 0);
  }

  /**
   * @param background runs the deletion of removed containers' files and the preparation of
   *     standbys: inline for a short-lived process (the CLI), a background thread for a long-lived
   *     one (the agent), where a container is gone from every API once {@code remove} returns
   * @param standbyCount containers kept started ahead of need (long-lived runtimes; see {@link
   *     StandbyPool}); 0 for none
   */
  public ContainerRuntime(
      StampRoot root,
      Cgroups cgroups,
      RootfsSource images,
      ContainerNetwork network,
      Executor background,
      int standbyCount) {
    this.root = root;
    this.store = new ContainerStore(root);
    this.cgroups = cgroups;
    this.images = images;
    this.network = network;
    this.diskCleanup = background;
    this.seccomp = new SeccompFilters(root.path().resolve("seccomp"));
    Path standbyDir = root.path().resolve("standby");
    StandbyPool.sweep(standbyDir, false);
    background.execute(store::deleteTrash); // what a killed process left (files, emptied cgroups)
    this.standbys =
        standbyCount > 0
            ? Optional.of(
                new StandbyPool(
                    standbyDir, store, cgroups, this::launcherUnchecked, standbyCount, background))
            : Optional.empty();
    standbys.ifPresent(StandbyPool::refillLater);
  }

  /** The runtime with the host's cgroups, and the image store and networks of this build. */
  public static ContainerRuntime open(StampRoot root) throws HostRuntimeException {
    return new ContainerRuntime(root, Cgroups.detect(), defaultImages(root), defaultNetwork(root));
  }

  /** Where images come from: the image store, pulling what it lacks (as {@code docker run}). */
  private static RootfsSource defaultImages(StampRoot root) {
    return StoreImages.pulling(root);
  }

  /** Which networks exist: none, host, and Stamp's bridge networks (the default). */
  private static ContainerNetwork defaultNetwork(StampRoot root) {
    return new BridgeNetworks(NetworkManager.open(root));
  }

  /**
   * For a long-lived process (the agent): removed containers' files are deleted on a daemon thread,
   * and {@code standbyCount} containers are kept started ahead of need.
   */
  public static ContainerRuntime openLongLived(StampRoot root, int standbyCount)
      throws HostRuntimeException {
    Executor cleaner =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "stamp-disk-cleanup");
              t.setDaemon(true);
              return t;
            });
    return new ContainerRuntime(
        root, Cgroups.detect(), defaultImages(root), defaultNetwork(root), cleaner, standbyCount);
  }

  /**
   * A container of {@code root} created from the image {@code imageId}, if any (for {@code rmi}:
   * reads the containers' configs only, opens no runtime).
   */
  public static Optional<String> containerUsingImage(StampRoot root, String imageId) {
    ContainerStore store = new ContainerStore(root);
    return store.ids().stream()
        .filter(id -> store.config(id).map(c -> imageId.equals(c.imageId())).orElse(false))
        .findFirst();
  }

  /**
   * Removed containers whose files a killed process had not deleted yet (entries of {@code
   * containers/.trash}), for {@code stamp system check}.
   */
  public static List<Path> retiredLeftovers(StampRoot root) {
    Path trash = new ContainerStore(root).trash();
    try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(trash)) {
      return entries.sorted().toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** Deletes {@link #retiredLeftovers} now (their cgroups first, as their records list them). */
  public void sweepRetired() {
    store.deleteTrash();
  }

  /** How many standbys are ready now (for tests and diagnostics). */
  int standbysReady() {
    return standbys.map(StandbyPool::readyCount).orElse(0);
  }

  /** Discards the standbys (their shims exit, their cgroups go). */
  public void closeStandbys() {
    standbys.ifPresent(StandbyPool::close);
  }

  public ContainerNetwork network() {
    return network;
  }

  Cgroups cgroups() {
    return cgroups;
  }

  /** A full container id from a name, an id or a unique id prefix. NOT_FOUND, or BAD_INPUT. */
  public String resolve(String ref) throws HostRuntimeException {
    return store.resolve(ref);
  }

  /** The id of the container called {@code name}, if one has that name. */
  public Optional<String> idOfName(String name) {
    return store.readName(name);
  }

  /** The container's state (status, pids, exit code), read afresh. */
  public ContainerState state(String ref) throws HostRuntimeException {
    return ContainerState.read(store.dir(store.resolve(ref)));
  }

  /** The container's status, read afresh. */
  public ContainerStatus status(String ref) throws HostRuntimeException {
    return state(ref).status();
  }

  /**
   * One reading of the container's cgroup accounting (CPU time, memory and its limit, pids); zeros
   * once its cgroups are gone.
   */
  public CgroupStats stats(String ref) throws HostRuntimeException {
    String id = store.resolve(ref);
    return CgroupStats.read(requireConfig(id).intent().cgroupPaths());
  }

  /** The processes in the container's cgroup, by host pid. CONFLICT when it is not running. */
  public List<ContainerProcess> processes(String ref) throws HostRuntimeException {
    String id = store.resolve(ref);
    ContainerRecord c = requireConfig(id);
    requireRunning("list processes of container " + c.shortId(), id);
    return ContainerProcesses.of(c.intent().cgroupDirs());
  }

  /**
   * Runs {@code argv} inside the running container (its cgroups and namespaces, root, working
   * directory, user and environment; see {@link ContainerExec}) and waits for it, at most {@code
   * timeout} (then it is killed: {@link ExecResult#timedOut()}). The first 64 KiB of its combined
   * output are kept. CONFLICT when the container is not running.
   */
  public ExecResult exec(String ref, List<String> argv, Duration timeout)
      throws HostRuntimeException {
    String id = store.resolve(ref);
    ContainerRecord c = requireConfig(id);
    String action = "exec in container " + c.shortId();
    ProcessId process = requireRunning(action, id);
    return ContainerExec.run(
        c, process, shimBinary(), seccompFilter(c, action), argv, timeout, action);
  }

  /**
   * {@code docker exec} for a CLI: starts the command in the running container (as {@link #exec},
   * plus the options' env, user, workdir and stdin) with this process's stdout and stderr, and
   * returns it; its exit code is the command's (126: the exec could not be set up, 127: command not
   * found). Marks the container as exec'd ({@link Drift#execAt}). CONFLICT when it is not running,
   * BAD_INPUT for a user missing from its /etc/passwd or a relative workdir.
   */
  public Process execStreaming(String ref, ExecOptions options) throws HostRuntimeException {
    String id = store.resolve(ref);
    ContainerRecord c = requireConfig(id);
    String action = "exec in container " + c.shortId();
    ProcessId process = requireRunning(action, id);
    Path dir = store.dir(id);
    String workdir = options.workdir().filter(w -> !w.isEmpty()).orElse(null);
    if (workdir != null && (!workdir.startsWith("/") || workdir.equals("-"))) {
      throw HostRuntimeException.badInput(
          action + ": workdir: an absolute path inside the container, got " + workdir);
    }
    ContainerExec.Identity identity = ContainerExec.identityOf(c);
    if (options.user().filter(u -> !u.isBlank()).isPresent()) {
      List<Path> layers = new ArrayList<>();
      c.lowerDirs().forEach(l -> layers.add(Path.of(l)));
      layers.add(ContainerDrift.upperDir(c, dir)); // the container's own /etc/passwd changes
      ImageUsers.User user = ImageUsers.resolve(layers, options.user());
      identity = new ContainerExec.Identity(user.uid(), user.gid(), user.groups(), null);
    }
    identity =
        new ContainerExec.Identity(identity.uid(), identity.gid(), identity.groups(), workdir);
    try {
      ContainerDrift.markExec(dir, java.time.Instant.now());
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": mark it exec'd: " + e.getMessage(), e);
    }
    return ContainerExec.start(
        c,
        process,
        shimBinary(),
        seccompFilter(c, action),
        identity,
        options.env(),
        options.argv(),
        options.stdin(),
        options.tty(),
        action);
  }

  /**
   * What changed in the container's root filesystem outside its volumes, binds and the paths the
   * runtime makes at start (a bounded walk of its overlay upper dir), and when {@code stamp exec}
   * last ran a command in it. Any status; nothing for a container without an upper dir.
   */
  public Drift drift(String ref) throws HostRuntimeException {
    String id = store.resolve(ref);
    return ContainerDrift.read(requireConfig(id), store.dir(id));
  }

  private Path shimBinary() throws HostRuntimeException {
    Path shim = shimPath;
    if (shim == null || !Files.isExecutable(shim)) {
      shim = ShimBinary.extract(store.runtimeDir()); // reads and hashes the binary: once
      shimPath = shim;
    }
    return shim;
  }

  /**
   * The compiled seccomp filter of the container (its profile, Docker's capabilities, this
   * machine), compiled on first use; null when it runs unconfined.
   */
  private Path seccompFilter(ContainerRecord c, String action) throws HostRuntimeException {
    try {
      return seccomp
          .filterFor(c.seccomp(), ShimSpec.CAPABILITY_NAMES, ShimSpec.CAPABILITY_KEY)
          .orElse(null);
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.wrap(action, e);
    }
  }

  private ProcessId requireRunning(String action, String id) throws HostRuntimeException {
    ContainerState state = ContainerState.read(store.dir(id));
    if (state.status() != ContainerStatus.RUNNING || state.process().isEmpty()) {
      throw HostRuntimeException.conflict(
          action + ": it is " + state.status().label() + ", not running");
    }
    return state.process().get();
  }

  /** Creates the container (state dir, name, cgroups); nothing runs yet. Returns its id. */
  public String create(ContainerSpec spec) throws HostRuntimeException {
    ContainerFactory factory = new ContainerFactory(store, cgroups, images, network);
    Optional<StandbyPool.Standby> standby =
        usesStandby(spec) ? standbys.flatMap(StandbyPool::take) : Optional.empty();
    ContainerRecord config =
        factory.config(
            spec,
            standby.map(StandbyPool.Standby::id).orElseGet(ContainerStore::newId),
            seccomp.record(spec.seccomp()));
    Timeline.mark("create: config");
    if (standby.isPresent()) {
      adopt(standby.get(), config);
    } else {
      store.createDir(config);
    }
    Timeline.mark("create: dir");
    try {
      if (config.name() != null) {
        store.reserveName(config.name(), config.id());
      }
      dev.stamp.runtime.linux.CgroupLimits limits =
          new dev.stamp.runtime.linux.CgroupLimits(
              config.memoryBytes(), config.cpuMillis(), config.pidsLimit());
      if (standby.isPresent()) {
        cgroups.applyLimits(config.id(), limits); // its cgroups exist, its process is in them
      } else {
        cgroups.create(config.id(), limits);
      }
      Timeline.mark("create: cgroups");
      boolean prepared =
          standby.isPresent()
              && config.hostname().equals(ContainerFactory.defaultHostname(config.id()))
              && !config.network().equals("host");
      if (!prepared) {
        ContainerFactory.prepareFiles(config, store.dir(config.id()));
      }
    } catch (HostRuntimeException e) {
      removeQuietly(config.id());
      throw e;
    }
    return config.id();
  }

  /**
   * Starts a created container and returns once its command runs (exec succeeded). With {@code
   * relayStdio} the container's stdout/stderr also go to this process's fds 1 and 2. Close the
   * returned handle to detach.
   */
  public RunningContainer start(String ref, boolean relayStdio) throws HostRuntimeException {
    return start(ref, relayStdio, null);
  }

  /**
   * Starts a container created with -i or -t, attached before its command runs (as {@code docker
   * run} attaches before it starts), so none of its output is missed; {@code window} is the
   * caller's terminal size, applied to the container's pty before the command starts (0x0: none).
   * The attachment is {@link RunningContainer#attachment()}.
   */
  public RunningContainer startAttached(String ref, int rows, int cols)
      throws HostRuntimeException {
    return start(ref, false, new int[] {rows, cols});
  }

  /**
   * Attaches to a running container that was started with -i or -t. Output from now on reaches the
   * connection (plus, for the first client ever, what was printed before it); everything is also in
   * the log.
   */
  public AttachConnection attach(String ref) throws HostRuntimeException {
    String id = store.resolve(ref);
    ContainerRecord c = requireConfig(id);
    String action = "attach to container " + c.shortId();
    if (!c.interactive()) {
      throw HostRuntimeException.conflict(
          action + ": it was not started with -i or -t (see its output with stamp logs)");
    }
    ContainerState state = ContainerState.read(store.dir(id));
    if (state.status() != ContainerStatus.RUNNING) {
      throw HostRuntimeException.conflict(
          action + ": it is " + state.status().label() + ", not running");
    }
    return AttachConnection.connect(store.dir(id).resolve(ShimSpec.ATTACH_SOCKET), action);
  }

  private RunningContainer start(String ref, boolean relayStdio, int[] attachWindow)
      throws HostRuntimeException {
    String id = store.resolve(ref);
    ContainerRecord c = requireConfig(id);
    Path dir = store.dir(id);
    String action = "start container " + c.shortId();
    ContainerState.read(dir)
        .status()
        .checkMove(action, ContainerStatus.STARTING, "containers start once; run a new one");
    StandbyPool.Standby standby = assigned.remove(id);
    if (standby != null && (relayStdio || c.interactive())) {
      standby.shim().discard(); // a standby has no terminal to relay to: start afresh
      standby = null;
    }
    NetworkMode mode = network.parseMode(c.network());
    Timeline.mark("start: attach");
    PendingAttachment pending = network.prepare(id, mode, c.ports());
    // A bridge is connected (CNI ADD) on a thread of its own while the shim builds the container,
    // which waits before its command until released (hold=1). Not for a standby (its process has
    // no hold pipe) nor for an attach-first start (its monitor waits for the attach first).
    boolean hold = pending.connects() && standby == null && attachWindow == null;
    BackgroundStep<?> connecting = null;
    if (hold) {
      connecting = BackgroundStep.start("stamp-connect-" + c.shortId(), pending::connect);
    } else {
      pending.connect();
      refreshHosts(mode);
    }
    StatusPipe pipe;
    ShimLauncher.Held held = null;
    try {
      byte[] spec =
          ShimSpec.of(
              c,
              dir,
              mode instanceof NetworkMode.None,
              pending.netnsPath().map(Path::toString).orElse(null),
              relayStdio,
              c.autoRemove() ? cleanupCommand(id) : List.of(),
              attachWindow != null,
              hold,
              seccompFilter(c, action));
      try {
        Files.write(dir.resolve("shim.spec"), spec);
      } catch (IOException e) {
        throw HostRuntimeException.failed(action + ": write shim.spec: " + e.getMessage(), e);
      }
      Path specFile = dir.resolve("shim.spec");
      if (standby != null) {
        pipe = standby.shim().status();
        standby.shim().assign(specFile);
      } else if (hold) {
        held = launcher().spawnHeld(specFile, dir.resolve("shim.log"), relayStdio, action);
        pipe = held.status();
      } else {
        pipe = launcher().spawn(specFile, dir.resolve("shim.log"), relayStdio, action);
      }
    } catch (HostRuntimeException | RuntimeException e) {
      if (connecting != null) {
        connecting.joinAfter(e); // the caller's removal must not run beside a plugin
      }
      throw e;
    }
    Timeline.mark("start: spawned");
    if (held != null) {
      try {
        connecting.join();
        refreshHosts(mode);
      } catch (HostRuntimeException | RuntimeException e) {
        held.abandon(); // the container fails before its command; its shim reports and exits
        while (pipe.readLine() != null) {
          // its "error" line: the network's failure is the one to report
        }
        pipe.close();
        throw e;
      }
      Timeline.mark("start: released");
      held.release(); // false: the container is gone already, which the status pipe tells
    }
    String line = pipe.readLine();
    Timeline.mark("start:", line);
    AttachConnection attached = null;
    if (attachWindow != null && "listening".equals(line)) {
      attached = attachFirst(dir, action, attachWindow, pipe);
      line = pipe.readLine();
    }
    if (line != null && line.startsWith("started ")) {
      return new RunningContainer(
          started -> wait(started),
          id,
          Integer.parseInt(line.substring(8).strip()),
          pipe,
          attached);
    }
    pipe.close();
    if (attached != null) {
      attached.close();
    }
    throw startFailure(action, line, dir);
  }

  /** A bridged container's peers find it by name (and it them): the network's hosts files. */
  private void refreshHosts(NetworkMode mode) throws HostRuntimeException {
    if (mode instanceof NetworkMode.Bridge bridge) {
      new HostsFiles(store, network).refresh(bridge.network());
    }
  }

  private static AttachConnection attachFirst(
      Path dir, String action, int[] window, StatusPipe pipe) throws HostRuntimeException {
    try {
      AttachConnection a = AttachConnection.connect(dir.resolve(ShimSpec.ATTACH_SOCKET), action);
      a.sendWindowSize(window[0], window[1]); // the monitor waits for this first frame
      return a;
    } catch (HostRuntimeException | java.io.IOException e) {
      pipe.close();
      throw HostRuntimeException.failed(action + ": attach: " + e.getMessage(), e);
    }
  }

  private static HostRuntimeException startFailure(String action, String line, Path dir) {
    String error;
    if (line != null && line.startsWith("error ")) {
      error = line.substring(6);
    } else {
      String log = "";
      try {
        log = Files.readString(dir.resolve("shim.log")).strip();
      } catch (IOException e) {
        log = "";
      }
      error = "the monitor exited without a report" + (log.isEmpty() ? "" : ": " + log);
    }
    String message = action + ": " + error.replaceFirst(" \\(errno [0-9]+\\)$", "");
    if (error.startsWith("exec ") && error.endsWith("(errno 2)")) {
      return HostRuntimeException.badInput(message); // the command is not in the image
    }
    return HostRuntimeException.failed(message);
  }

  /** Waits for the container to exit (from any process) and returns its exit code. */
  public int wait(String ref) throws HostRuntimeException {
    String id = store.resolve(ref);
    Path dir = store.dir(id);
    while (true) {
      ContainerState state = ContainerState.read(dir);
      switch (state.status()) {
        case EXITED:
          return state.exitCode().orElse(-1);
        case DEAD:
          throw HostRuntimeException.failed(
              "wait for container " + id.substring(0, 12) + ": it died without an exit code");
        case CREATED:
          throw HostRuntimeException.conflict(
              "wait for container " + id.substring(0, 12) + ": it was never started");
        default: // starting, running
          ProcessWatch.awaitExit(state.shim().get(), Duration.ofMillis(200));
          ContainerState.awaitExitFile(dir, state.shim().get(), Duration.ofMillis(50));
      }
    }
  }

  /**
   * Sends the stop signal (the image's STOPSIGNAL, else SIGTERM), waits {@code timeout}, then
   * SIGKILLs everything in the container's cgroup. Returns the exit code (or -1 if none recorded).
   */
  public int stop(String ref, Duration timeout) throws HostRuntimeException {
    String id = store.resolve(ref);
    ContainerRecord c = requireConfig(id);
    Path dir = store.dir(id);
    ContainerState state = ContainerState.read(dir);
    if (state.status() == ContainerStatus.RUNNING && state.process().isPresent()) {
      ProcessId process = state.process().get();
      ProcessWatch.signal(process, c.stopSignal());
      if (!ProcessWatch.awaitExit(process, timeout)) {
        ProcessWatch.signal(process, LibC.SIGKILL);
        Cgroups.killAll(c.intent().cgroupPaths());
        ProcessWatch.awaitExit(process, Duration.ofSeconds(10));
      }
      state
          .shim()
          .ifPresent(shim -> ContainerState.awaitExitFile(dir, shim, Duration.ofSeconds(10)));
    }
    return ContainerState.read(dir).exitCode().orElse(-1);
  }

  /** Sends {@code signal} to the container's first process. */
  public void kill(String ref, int signal) throws HostRuntimeException {
    String id = store.resolve(ref);
    ContainerState state = ContainerState.read(store.dir(id));
    if (state.status() != ContainerStatus.RUNNING
        || state.process().isEmpty()
        || !ProcessWatch.signal(state.process().get(), signal)) {
      throw HostRuntimeException.conflict(
          "kill container " + id.substring(0, 12) + ": it is not running");
    }
  }

  /**
   * Removes the container and everything its intent lists (processes, network, cgroups, name,
   * files), whatever point a kill -9 stopped create or a previous remove at. Idempotent. Without
   * {@code force}, a running container is a CONFLICT.
   */
  public void remove(String ref, boolean force) throws HostRuntimeException {
    String id = store.resolve(ref);
    StandbyPool.Standby standby = assigned.remove(id);
    if (standby != null) {
      standby.shim().discard();
    }
    new ContainerRemover(store, network, diskCleanup).remove(id, force);
  }

  private void removeQuietly(String id) {
    StandbyPool.Standby standby = assigned.remove(id);
    if (standby != null) {
      standby.shim().discard();
    }
    try {
      new ContainerRemover(store, network, diskCleanup).remove(id, true);
    } catch (HostRuntimeException e) {
      // the original failure is what the caller needs to see
    }
  }

  public List<ContainerInfo> list(boolean all) {
    List<ContainerInfo> infos = new ArrayList<>();
    for (String id : store.ids()) {
      ContainerInfo info = info(id);
      if (all || info.state().status() == ContainerStatus.RUNNING) {
        infos.add(info);
      }
    }
    infos.sort(
        (a, b) ->
            b.config()
                .map(ContainerRecord::created)
                .orElse("")
                .compareTo(a.config().map(ContainerRecord::created).orElse("")));
    return infos;
  }

  public ContainerInfo inspect(String ref) throws HostRuntimeException {
    return info(store.resolve(ref));
  }

  private ContainerInfo info(String id) {
    return new ContainerInfo(id, store.config(id), ContainerState.read(store.dir(id)));
  }

  /** The container's framed log (see {@link LogReader}). */
  public LogReader logs(String ref) throws HostRuntimeException {
    String id = store.resolve(ref);
    Path dir = store.dir(id);
    return new LogReader(dir.resolve("log"), () -> isLive(dir));
  }

  private static boolean isLive(Path dir) {
    ContainerState s = ContainerState.read(dir);
    return s.status() == ContainerStatus.RUNNING || s.status() == ContainerStatus.STARTING;
  }

  ContainerRecord requireConfig(String id) throws HostRuntimeException {
    return store
        .config(id)
        .orElseThrow(
            () ->
                HostRuntimeException.failed(
                    "container " + id.substring(0, 12) + ": config.json is missing or unreadable"));
  }

  /** For a detached --rm: the command the shim execs when nobody listens any more. */
  private List<String> cleanupCommand(String id) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return List.of(
        java,
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        System.getProperty("java.class.path"),
        ContainerCleanup.class.getName(),
        root.path().toString(),
        id);
  }

  /** Standbys serve the default isolation: a network namespace of their own (none or bridge). */
  private static boolean usesStandby(ContainerSpec spec) {
    return spec.network().map(m -> !(m instanceof NetworkMode.Host)).orElse(true);
  }

  private void adopt(StandbyPool.Standby standby, ContainerRecord config)
      throws HostRuntimeException {
    try {
      standbys.orElseThrow().adopt(standby, config);
      assigned.put(config.id(), standby);
    } catch (IOException e) {
      standby.shim().discard();
      throw HostRuntimeException.failed(
          "create container " + config.shortId() + ": adopt standby: " + e.getMessage(), e);
    }
  }

  private ShimLauncher launcherUnchecked() {
    try {
      return launcher();
    } catch (HostRuntimeException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private ShimLauncher launcher() throws HostRuntimeException {
    ShimLauncher l = launcher;
    if (l == null) {
      l = new ShimLauncher(ShimBinary.extract(store.runtimeDir()));
      launcher = l;
    }
    return l;
  }
}
