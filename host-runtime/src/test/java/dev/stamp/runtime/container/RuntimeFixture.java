package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.testkit.BusyboxRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A runtime on a temporary state root with a busybox rootfs, and the checks every test ends with:
 * no container left, no mount under the root, no cgroup left.
 */
final class RuntimeFixture implements AutoCloseable {

  final Path base;
  final StampRoot root;
  final Path rootfs;
  final ContainerRuntime runtime;

  RuntimeFixture(Path tmp) throws HostRuntimeException {
    this(tmp, Cgroups.detect());
  }

  RuntimeFixture(Path tmp, Cgroups cgroups) {
    this.base = tmp;
    this.root = new StampRoot(tmp.resolve("root"));
    this.rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    this.runtime = new ContainerRuntime(root, cgroups, RootfsSource.NONE, new LocalNetworks());
  }

  ContainerSpec.Builder spec(String... command) {
    return ContainerSpec.builder().rootfs(rootfs).command(List.of(command));
  }

  /** create + start + wait; returns the exit code (the container stays for inspection). */
  int run(ContainerSpec spec) throws HostRuntimeException {
    return runId(spec).code();
  }

  record Result(String id, int code) {}

  Result runId(ContainerSpec spec) throws HostRuntimeException {
    String id = runtime.create(spec);
    try (RunningContainer c = runtime.start(id, false)) {
      return new Result(id, c.awaitExit());
    }
  }

  String stdout(String id) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (LogReader.Entry e : runtime.logs(id).entries()) {
      if (e.stream() == LogReader.STDOUT) {
        sb.append(e.text());
      }
    }
    return sb.toString();
  }

  String stderr(String id) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (LogReader.Entry e : runtime.logs(id).entries()) {
      if (e.stream() == LogReader.STDERR) {
        sb.append(e.text());
      }
    }
    return sb.toString();
  }

  /** Output of {@code sh -c script} in a fresh container (stdout only), asserting exit 0. */
  String sh(String script) throws Exception {
    Result r = runId(spec("sh", "-c", script).build());
    String out = stdout(r.id());
    assertThat(r.code()).as("exit of %s; stderr: %s", script, stderr(r.id())).isZero();
    return out;
  }

  /** Removes every container, then asserts nothing is left on the host. */
  @Override
  public void close() throws HostRuntimeException {
    List<String> cgroupDirs = new java.util.ArrayList<>();
    for (ContainerInfo info : runtime.list(true)) {
      info.config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
      runtime.remove(info.id(), true);
    }
    assertThat(Mountinfo.read().anyUnder(root.path())).as("mounts left under the root").isFalse();
    for (String d : cgroupDirs) {
      assertThat(Path.of(d)).as("cgroup left").doesNotExist();
    }
    assertThat(runtime.list(true)).isEmpty();
  }

  static long count(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.count();
    }
  }
}
