package dev.stamp.runtime.container;

import dev.stamp.runtime.BackgroundStep;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.Timeline;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.linux.ProcessWatch;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a container in an order that a kill -9 at any point cannot break: processes, network,
 * cgroups, name, files (config.json, which holds the intent, last). Every step is idempotent.
 */
final class ContainerRemover {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerRemover.class);

  private final ContainerStore store;
  private final ContainerNetwork network;
  private final Executor diskCleanup;

  ContainerRemover(ContainerStore store, ContainerNetwork network, Executor diskCleanup) {
    this.store = store;
    this.network = network;
    this.diskCleanup = diskCleanup;
  }

  void remove(String id, boolean force) throws HostRuntimeException {
    Path dir = store.dir(id);
    Optional<ContainerRecord> config = store.config(id);
    ContainerState state = ContainerState.read(dir);
    if (!force) {
      state
          .status()
          .checkMove(
              "remove container " + id.substring(0, 12),
              ContainerStatus.REMOVED,
              "stop it first, or use rm -f");
    }
    List<Path> cgroupDirs = config.map(c -> c.intent().cgroupPaths()).orElse(List.of());
    Timeline.mark("remove: read");
    killProcesses(dir, state, cgroupDirs);
    Timeline.mark("remove: killed");
    if (config.isPresent() && config.get().intent().network()) {
      // CNI DEL (tens of ms: the veth's deletion, the lease's release) on a thread of its own
      // while the emptied cgroups go (a v1 memory cgroup's rmdir waits for an RCU grace period):
      // inline for the CLI, on a long-lived runtime's background thread. The directory, with the
      // intent, is retired only once the DEL succeeded: a failed one leaves the container and its
      // record for a retry (rm -f), which finds the cgroups gone and goes on.
      BackgroundStep<Void> detaching =
          BackgroundStep.start(
              "stamp-detach-" + id.substring(0, 12),
              () -> {
                network.detach(id);
                return null;
              });
      diskCleanup.execute(() -> removeEmptiedCgroups(id, cgroupDirs));
      detaching.join();
      Timeline.mark("remove: detached");
      refreshHosts(id, config.get().network());
      Timeline.mark("remove: hosts");
    }
    // Otherwise the (empty) cgroups go with the directory, in deleteTrash: a memory cgroup's rmdir
    // on v1 takes 1-10 ms, which a long-lived runtime spends on its background thread.
    try {
      if (config.isPresent() && config.get().intent().nameFile() != null) {
        store.releaseName(config.get().intent().nameFile(), id);
      }
      store.retire(id);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "remove container " + id.substring(0, 12) + ": " + e.getMessage(), e);
    }
    Timeline.mark("remove: retired");
    diskCleanup.execute(store::deleteTrash);
    Timeline.mark("remove: trash deleted");
  }

  /** Early, beside the DEL; what fails here is retried with the directory, in deleteTrash. */
  private static void removeEmptiedCgroups(String id, List<Path> cgroupDirs) {
    try {
      Cgroups.remove(cgroupDirs);
    } catch (HostRuntimeException | RuntimeException e) {
      LOG.debug("remove container {}: cgroups (retried later): {}", id, e.getMessage());
    }
  }

  /** Peers stop resolving the container's names; a failure leaves stale names, not a container. */
  private void refreshHosts(String id, String networkName) {
    try {
      new HostsFiles(store, network).refresh(networkName);
    } catch (HostRuntimeException | RuntimeException e) {
      LOG.warn("remove container {}: {}", id.substring(0, 12), e.getMessage());
    }
  }

  /**
   * The container's first process (its pid namespace dies with it), everything in its cgroup, and
   * its shim, which may be starting, relaying, or (for --rm) be this very process.
   */
  private static void killProcesses(Path dir, ContainerState state, List<Path> cgroupDirs) {
    long self = ProcessHandle.current().pid();
    state.process().ifPresent(p -> ProcessWatch.signal(p, LibC.SIGKILL));
    Cgroups.killAndDrain(cgroupDirs);
    if (state.status() == ContainerStatus.EXITED) {
      return; // the shim has recorded the exit: it touches none of the container's files any more
    }
    Optional<ProcessId> shim = state.shim().or(() -> startingShim(dir));
    if (shim.isPresent() && shim.get().pid() != self) {
      // it exits by itself right after recording the exit; only a stuck or starting one is killed
      ContainerState.awaitExitFile(dir, shim.get(), Duration.ofSeconds(2));
      if (!ProcessWatch.awaitExit(shim.get(), Duration.ofMillis(100))) {
        ProcessWatch.signal(shim.get(), LibC.SIGKILL);
        ProcessWatch.awaitExit(shim.get(), Duration.ofSeconds(5));
      }
    }
    state.process().ifPresent(p -> ProcessWatch.awaitExit(p, Duration.ofSeconds(5)));
  }

  /**
   * A shim of this container that has not written its state file yet (starting, or a standby
   * adopted by a runtime that died) is found in /proc by the container id in its spec path.
   */
  private static Optional<ProcessId> startingShim(Path dir) {
    if (Files.exists(dir.resolve("state"))) {
      return Optional.empty();
    }
    byte[] needle = ("/" + dir.getFileName() + "/").getBytes();
    byte[] shim = "stamp-shim".getBytes();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        try {
          byte[] cmdline = Files.readAllBytes(p.resolve("cmdline"));
          if (indexOf(cmdline, needle) >= 0 && indexOf(cmdline, shim) >= 0) {
            return ProcessId.of(Integer.parseInt(p.getFileName().toString()));
          }
        } catch (IOException | NumberFormatException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
