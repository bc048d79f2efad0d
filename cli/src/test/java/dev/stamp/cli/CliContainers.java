package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.TestStateRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The container CLI ITs' fixture on a {@link TestStateRoot}: the root's runtime, a busybox rootfs,
 * the CLI as a process, and the clean-up that removes every container and then proves nothing of
 * them is mounted and none of their cgroup directories is left.
 */
final class CliContainers {

  final TestStateRoot state;
  final Path tmp;
  final Path root;
  final Path rootfs;
  final ContainerRuntime runtime;
  final List<String> cgroupDirs = new ArrayList<>();

  CliContainers(TestStateRoot state) throws Exception {
    this.state = state;
    this.tmp = state.scratch();
    this.root = state.path();
    this.rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    this.runtime = ContainerRuntime.open(new StampRoot(root));
  }

  HostCommand.Result run(String... args) {
    return new StampCliProcess(root).run(args);
  }

  ProcessBuilder cli(String... args) {
    return new ProcessBuilder(new StampCliProcess(root).command(args));
  }

  /** Remembers the container's cgroups (and id) for the checks after its removal. */
  void track(String ref) throws Exception {
    state.track(runtime.resolve(ref));
    runtime.inspect(ref).config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
  }

  /** Removes every container of the root (tracking each first). */
  void removeAll() throws Exception {
    for (ContainerInfo i : runtime.list(true)) {
      state.track(i.id());
      i.config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
      runtime.remove(i.id(), true);
    }
  }

  /** Nothing under the root is mounted and no tracked cgroup directory is left. */
  void assertNothingLeft() throws Exception {
    assertThat(Mountinfo.read().anyUnder(root)).isFalse();
    cgroupDirs.forEach(d -> assertThat(Path.of(d)).doesNotExist());
  }
}
