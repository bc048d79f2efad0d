package dev.stamp.runtime.container;

import dev.stamp.runtime.linux.Capabilities;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The file stamp-shim reads: NUL-terminated {@code key\0value\0} records ("mount" takes three
 * values: source, target, options). The keys are the ones {@code parse_spec} in spec.c knows;
 * {@code seccomp} names the compiled filter (absent: unconfined), which the shim reads before the
 * pivot and installs right before exec; {@code hold=1}: the container waits before its command for
 * the starter's release on fd 6 ({@link dev.stamp.runtime.linux.ShimLauncher#spawnHeld}).
 */
final class ShimSpec {

  /** Docker's masked paths: /dev/null over files, an empty read-only tmpfs over directories. */
  static final List<String> MASKED_PATHS =
      List.of(
          "/proc/acpi",
          "/proc/asound",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/proc/interrupts",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");

  /** Docker's read-only paths. */
  static final List<String> READONLY_PATHS =
      List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** The capabilities every container gets, as seccomp profiles name them ({@code CAP_CHOWN}). */
  static final java.util.Set<String> CAPABILITY_NAMES = capabilityNames();

  /** The same set as the shim's hex mask, which keys the compiled seccomp filters. */
  static final String CAPABILITY_KEY =
      Long.toHexString(Capabilities.mask(Capabilities.DOCKER_DEFAULT));

  /** The monitor's attach socket, in the container's directory (see attach.c). */
  static final String ATTACH_SOCKET = "attach.sock";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private static java.util.Set<String> capabilityNames() {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Capabilities.Cap c : Capabilities.DOCKER_DEFAULT) {
      names.add("CAP_" + c.name()); // a loop, not a lambda: the CDS class list names lambdas
    }
    return java.util.Set.copyOf(names);
  }

  ShimSpec put(String key, String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(key + " contains NUL");
    }
    write(key);
    write(value);
    return this;
  }

  ShimSpec putAll(String key, List<String> values) {
    values.forEach(v -> put(key, v));
    return this;
  }

  ShimSpec mount(String source, String target, boolean readOnly) {
    write("mount");
    write(source);
    write(target);
    write(readOnly ? "ro" : "rw");
    return this;
  }

  private void write(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** The whole spec of one container, from its config and where its files are. */
  static byte[] of(
      ContainerRecord c,
      Path dir,
      boolean newNet,
      String netns,
      boolean relay,
      List<String> cleanup,
      boolean attachFirst,
      boolean hold,
      Path seccompFilter) {
    ShimSpec s = new ShimSpec();
    s.put("id", c.id())
        .put("rootfs", dir.resolve("rootfs").toString())
        .put("overlay", overlayOptions(c, dir))
        .put("hostname", c.hostname())
        .put("new_net", newNet ? "1" : "0")
        .put("state", dir.resolve("state").toString())
        .put("exit", dir.resolve("exit").toString())
        .put("log", dir.resolve("log").toString())
        .put("read_only", c.readOnly() ? "1" : "0")
        .put("init", c.init() ? "1" : "0")
        .put("relay", relay ? "1" : "0")
        .put("uid", Integer.toString(c.uid()))
        .put("gid", Integer.toString(c.gid()))
        .put("caps", CAPABILITY_KEY);
    if (hold) {
      s.put("hold", "1");
    }
    if (seccompFilter != null) {
      s.put("seccomp", seccompFilter.toString());
    }
    if (c.interactive()) {
      s.put("attach", dir.resolve(ATTACH_SOCKET).toString())
          .put("tty", c.tty() ? "1" : "0")
          .put("stdin", c.openStdin() ? "1" : "0")
          .put("attach_first", attachFirst ? "1" : "0");
    }
    if (netns != null) {
      s.put("netns", netns);
    }
    if (c.workdir() != null) {
      s.put("workdir", c.workdir());
    }
    s.putAll("group", c.groups().stream().map(String::valueOf).toList())
        .putAll("cgroup", c.intent().cgroupDirs().stream().map(d -> d + "/cgroup.procs").toList())
        .putAll("env", c.env())
        .putAll("arg", c.args())
        .putAll("masked", MASKED_PATHS)
        .putAll("readonly", READONLY_PATHS)
        .putAll("cleanup", cleanup);
    for (String etc : List.of("hostname", "hosts", "resolv.conf")) {
      s.mount(dir.resolve(etc).toString(), "/etc/" + etc, false);
    }
    for (ContainerRecord.Mount m : c.mounts()) {
      s.mount(m.source(), m.target(), m.readOnly());
    }
    return s.bytes();
  }

  /**
   * overlay's options: lowerdir lists the topmost layer first; upper and work are the container's
   * own, or the explicit ones of an {@link ContainerSpec.OverlayRootfs}.
   */
  static String overlayOptions(ContainerRecord c, Path dir) {
    StringBuilder lower = new StringBuilder();
    for (int i = c.lowerDirs().size() - 1; i >= 0; i--) {
      lower.append(lower.length() == 0 ? "" : ":").append(c.lowerDirs().get(i));
    }
    return "lowerdir="
        + lower
        + ",upperdir="
        + (c.upperDir() != null ? c.upperDir() : dir.resolve("upper"))
        + ",workdir="
        + (c.workDir() != null ? c.workDir() : dir.resolve("work"));
  }
}
