package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.LocalNetworks;
import dev.stamp.runtime.container.MountSpec;
import dev.stamp.runtime.container.RootfsSource;
import dev.stamp.runtime.container.RunningContainer;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.linux.ProcessWatch;
import dev.stamp.runtime.network.NetworkMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a RUN step as a Stamp container ({@link ContainerRuntime}): its root filesystem is an
 * overlay of the request's lower dirs with the request's own upper and work dirs ({@link
 * ContainerSpec.OverlayRootfs}), so it gets the isolation every container gets (pid, mount, uts,
 * ipc, cgroup and network namespaces, a cgroup, Docker's default capabilities, masked /proc paths,
 * no_new_privs). Network {@code default} and {@code none} are a namespace with loopback only;
 * {@code host} shares the host's. Output lines stream from the container's log as it runs.
 *
 * <p>Once the container (and its shim, which holds its mount namespace) is gone, the upper dir
 * holds the step's changes, less the mount points the runtime itself had to create ({@link
 * MountStubs}).
 */
public final class RuntimeRunExecutor implements RunExecutor {

  static final int TAIL_LINES = 20;

  /** Opens the runtime on first use (a build without RUN needs no cgroups, no root). */
  private interface RuntimeOpener {
    ContainerRuntime open() throws HostRuntimeException;
  }

  private final RuntimeOpener opener;
  private ContainerRuntime runtime;

  public RuntimeRunExecutor(ContainerRuntime runtime) {
    this.opener = () -> runtime;
  }

  private RuntimeRunExecutor(RuntimeOpener opener) {
    this.opener = opener;
  }

  /**
   * Containers for RUN steps under {@code root}: no image store (the layers are given), the {@code
   * none} and {@code host} networks, the host's cgroups; opened when the first RUN needs it.
   */
  public static RuntimeRunExecutor open(StampRoot root) {
    return new RuntimeRunExecutor(
        () -> new ContainerRuntime(root, Cgroups.detect(), RootfsSource.NONE, new LocalNetworks()));
  }

  private synchronized ContainerRuntime runtime() throws BuildException {
    if (runtime == null) {
      try {
        runtime = opener.open();
      } catch (HostRuntimeException e) {
        throw BuildException.wrap("RUN: open the container runtime", e);
      }
    }
    return runtime;
  }

  @Override
  public RunResult run(RunRequest req) throws BuildException {
    String action = "run " + req.argv();
    try {
      ContainerRuntime runtime = runtime();
      MountStubs stubs = MountStubs.of(req.lowerDirs(), targets(req));
      ContainerSpec spec = spec(req);
      String id = runtime.create(spec);
      try {
        return runAndCollect(runtime, id, req);
      } finally {
        removeAndSettle(runtime, id);
        stubs.removeFrom(req.upperDir(), req.lowerDirs());
      }
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(action, e);
    } catch (IOException e) {
      throw BuildException.failed(action + ": " + e.getMessage(), e);
    }
  }

  private static RunResult runAndCollect(ContainerRuntime runtime, String id, RunRequest req)
      throws HostRuntimeException {
    LineSink sink = new LineSink(req.output(), TAIL_LINES);
    RunningContainer running;
    try {
      running = runtime.start(id, false);
    } catch (HostRuntimeException e) {
      if (e.kind() == StampException.Kind.BAD_INPUT) {
        // the command is not in the image: the step failed, as a shell's 127 would
        return new RunResult(127, List.of(e.getMessage()));
      }
      throw e;
    }
    Thread reader =
        new Thread(
            () -> {
              try {
                runtime.logs(id).copyTo(sink.stdout(), sink.stderr(), true, false);
              } catch (IOException | HostRuntimeException e) {
                sink.note("(output lost: " + e.getMessage() + ")");
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "stamp-run-output");
    reader.setDaemon(true);
    reader.start();
    int exit = running.awaitExit();
    try {
      reader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reader.interrupt();
    }
    sink.flush();
    return new RunResult(exit, sink.tail());
  }

  /**
   * Removes the container and waits for its shim to exit: the shim holds the container's mount
   * namespace, so only then is the overlay unmounted and the upper dir final.
   */
  private static void removeAndSettle(ContainerRuntime runtime, String id)
      throws HostRuntimeException {
    Optional<ProcessId> shim = runtime.inspect(id).state().shim();
    runtime.remove(id, true);
    shim.ifPresent(p -> ProcessWatch.awaitExit(p, Duration.ofSeconds(30)));
  }

  private static ContainerSpec spec(RunRequest req) throws HostRuntimeException, IOException {
    ContainerSpec.Builder b =
        ContainerSpec.builder()
            .overlay(
                new ContainerSpec.OverlayRootfs(req.lowerDirs(), req.upperDir(), req.workDir()))
            .command(req.argv())
            .workdir(req.workingDir())
            .user(req.user())
            .network(network(req.network()));
    b.env(req.env());
    int n = 0;
    for (RunRequest.StepMount m : req.mounts()) {
      String target = target(m, req.workingDir());
      if (m.type().equals("tmpfs")) {
        // an empty writable dir of the step's own, gone with the step: tmpfs as the RUN sees it
        Path dir = req.upperDir().resolveSibling("tmpfs-" + n++);
        Files.createDirectories(dir);
        Files.setAttribute(dir, "unix:mode", 01777);
        b.mount(new MountSpec(dir.toString(), target, false));
      } else {
        b.mount(new MountSpec(m.source().toAbsolutePath().toString(), target, !m.readWrite()));
      }
    }
    return b.build();
  }

  private static List<String> targets(RunRequest req) {
    List<String> out = new ArrayList<>();
    for (RunRequest.StepMount m : req.mounts()) {
      out.add(target(m, req.workingDir()));
    }
    return out;
  }

  /** A relative target is below the working directory, as BuildKit does. */
  private static String target(RunRequest.StepMount m, String workdir) {
    String t = m.target().startsWith("/") ? m.target() : workdir + "/" + m.target();
    return CopyPlan.normalise(t);
  }

  private static NetworkMode network(String mode) throws HostRuntimeException {
    return switch (mode) {
      case "default", "none" -> new NetworkMode.None();
      case "host" -> new NetworkMode.Host();
      default ->
          throw HostRuntimeException.badInput(
              "RUN --network=" + mode + ": use default, none or host");
    };
  }
}
