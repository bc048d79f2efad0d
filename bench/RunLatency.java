import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.RunningContainer;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.runtime.network.NetworkMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.byref.IntByReference;

/**
 * Start-to-exit latency of `true` in the busybox rootfs, every path measured in the same rounds
 * (interleaved, so load from other processes hits all of them alike). Not a test: bench/run-latency
 * compiles it against cli/target/stamp.jar and runs it.
 *
 * <p>Paths: runc run (same rootfs, same isolation); Stamp's warm path (this long-lived JVM: create +
 * start + wait + remove through ContainerRuntime, as the agent does), with two standbys (see
 * StandbyPool) and without; the Stamp CLI as users start it (`./stamp run --rm --network none
 * --rootfs DIR true`: the launcher's defaults, with the AppCDS archive it keeps by itself) and as
 * plain `java -jar stamp.jar` without an archive; `./stamp --version`, and `java -version` alone,
 * which is what JVM start-up costs any CLI.
 *
 * <p>Arguments: STATE_ROOT ROOTFS RUNC_BUNDLE STAMP_JAR LAUNCHER WARMUP RUNS CLI_EVERY.
 */
public final class RunLatency {

  private static final LibC C = LibC.INSTANCE;

  public static void main(String[] a) throws Exception {
    if (a[0].equals("bundle")) {
      runcBundle(Path.of(a[1]), a[2]);
      return;
    }
    Path root = Path.of(a[0]);
    String rootfs = a[1];
    String bundle = a[2];
    String jar = a[3];
    String launcher = a[4];
    int warmup = Integer.parseInt(a[5]);
    int runs = Integer.parseInt(a[6]);
    int cliEvery = Integer.parseInt(a[7]);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> jvm = List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    List<String> run = List.of("--root", root + "-cli", "run", "--rm", "--network", "none", "--rootfs", rootfs, "true");
    List<String> cli = concat(List.of("-jar", jar), run);

    ContainerRuntime warm = ContainerRuntime.openLongLived(new StampRoot(root), 2);
    ContainerRuntime cold = ContainerRuntime.openLongLived(new StampRoot(Path.of(root + "-nostandby")), 0);
    ContainerSpec spec =
        ContainerSpec.builder()
            .rootfs(Path.of(rootfs))
            .command(List.of("true"))
            .network(new NetworkMode.None())
            .build();

    Map<String, List<Long>> samples = new LinkedHashMap<>();
    for (String k :
        List.of(
            "runc run (same rootfs and isolation)",
            "stamp warm path (long-lived JVM, 2 standbys)",
            "stamp warm path, no standby",
            "stamp CLI: ./stamp run --rm (default)",
            "stamp CLI: java -jar, no AppCDS",
            "JVM start: ./stamp --version",
            "JVM start: java -version")) {
      samples.put(k, new ArrayList<>());
    }
    List<List<Long>> s = new ArrayList<>(samples.values());
    for (int i = -warmup; i < runs; i++) {
      boolean keep = i >= 0;
      long t0 = System.nanoTime();
      spawnAndWait(List.of("runc", "run", "--bundle", bundle, "stamp-bench-" + ProcessHandle.current().pid()));
      long t1 = System.nanoTime();
      runTrue(warm, spec);
      long t2 = System.nanoTime();
      runTrue(cold, spec);
      long t3 = System.nanoTime();
      if (keep) {
        s.get(0).add(t1 - t0);
        s.get(1).add(t2 - t1);
        s.get(2).add(t3 - t2);
      }
      if (i % cliEvery == 0) {
        long c0 = System.nanoTime();
        spawnAndWait(concat(List.of(launcher), run));
        long c1 = System.nanoTime();
        spawnAndWait(concat(jvm, cli));
        long c2 = System.nanoTime();
        spawnAndWait(List.of(launcher, "--version"));
        long c3 = System.nanoTime();
        spawnAndWait(concat(jvm, List.of("-version")));
        long c4 = System.nanoTime();
        if (keep) {
          s.get(3).add(c1 - c0);
          s.get(4).add(c2 - c1);
          s.get(5).add(c3 - c2);
          s.get(6).add(c4 - c3);
        }
      }
    }
    warm.closeStandbys();
    double runc = median(s.get(0));
    System.out.printf("%-40s %6s %10s %10s %12s%n", "path (start -> exit of true)", "n", "median ms", "p90 ms", "x runc");
    for (var e : samples.entrySet()) {
      double m = median(e.getValue());
      System.out.printf(
          "%-40s %6d %10.2f %10.2f %12.2f%n",
          e.getKey(), e.getValue().size(), m, percentile(e.getValue(), 0.9), m / runc);
    }
  }

  /**
   * Turns `runc spec`'s config.json into Stamp's isolation: pid, mount, uts, ipc, net (loopback
   * only) and cgroup namespaces, /proc, /dev, /sys, Docker's masked and read-only paths, Docker's
   * 14 capabilities, no_new_privs, Docker's default seccomp profile; `true` in the given rootfs,
   * no terminal.
   */
  private static void runcBundle(Path config, String rootfs) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var c = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(config.toFile());
    c.putObject("root").put("path", rootfs).put("readonly", false);
    var process = (com.fasterxml.jackson.databind.node.ObjectNode) c.get("process");
    process.putArray("args").add("true");
    process.put("terminal", false).put("noNewPrivileges", true);
    List<String> caps =
        List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
            "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    var capabilities = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      caps.forEach(capabilities.putArray(set)::add);
    }
    var linux = (com.fasterxml.jackson.databind.node.ObjectNode) c.get("linux");
    var namespaces = linux.putArray("namespaces");
    for (String ns : List.of("pid", "network", "ipc", "uts", "mount", "cgroup")) {
      namespaces.addObject().put("type", ns);
    }
    var masked = linux.putArray("maskedPaths");
    List.of(
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/proc/interrupts", "/sys/firmware", "/sys/devices/virtual/powercap")
        .forEach(masked::add);
    var readonly = linux.putArray("readonlyPaths");
    List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")
        .forEach(readonly::add);
    linux.set("seccomp", dockerDefaultSeccomp(json, caps));
    json.writerWithDefaultPrettyPrinter().writeValue(config.toFile(), c);
  }

  /**
   * Docker's default seccomp profile (the one Stamp ships) as Docker hands it to runc: the rules
   * whose includes/excludes hold for amd64, these capabilities and this kernel (moby's
   * setupSeccomp), without the includes/excludes/comment keys.
   */
  private static com.fasterxml.jackson.databind.node.ObjectNode dockerDefaultSeccomp(
      com.fasterxml.jackson.databind.ObjectMapper json, List<String> caps) throws Exception {
    var profile =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(dev.stamp.runtime.seccomp.SeccompProfile.dockerDefaultJson());
    var kernel = dev.stamp.runtime.seccomp.SeccompFilters.kernel();
    var oci = json.createObjectNode();
    oci.set("defaultAction", profile.get("defaultAction"));
    oci.set("defaultErrnoRet", profile.get("defaultErrnoRet"));
    var arches = oci.putArray("architectures");
    for (var a : profile.get("archMap")) {
      if (a.get("architecture").asText().equals("SCMP_ARCH_X86_64")) {
        arches.add(a.get("architecture"));
        a.get("subArchitectures").forEach(arches::add);
      }
    }
    var syscalls = oci.putArray("syscalls");
    for (var rule : profile.get("syscalls")) {
      var ex = rule.path("excludes");
      var in = rule.path("includes");
      boolean skip = false;
      for (var a : ex.path("arches")) skip |= a.asText().equals("amd64");
      for (var c : ex.path("caps")) skip |= caps.contains(c.asText());
      if (ex.hasNonNull("minKernel")) skip |= atLeast(kernel, ex.get("minKernel").asText());
      if (in.path("arches").size() > 0) {
        boolean listed = false;
        for (var a : in.path("arches")) listed |= a.asText().equals("amd64");
        skip |= !listed;
      }
      for (var c : in.path("caps")) skip |= !caps.contains(c.asText());
      if (in.hasNonNull("minKernel")) skip |= !atLeast(kernel, in.get("minKernel").asText());
      if (!skip) {
        var out = syscalls.addObject();
        out.set("names", rule.get("names"));
        out.set("action", rule.get("action"));
        if (rule.has("errnoRet")) out.set("errnoRet", rule.get("errnoRet"));
        if (rule.has("args")) out.set("args", rule.get("args"));
      }
    }
    return oci;
  }

  private static boolean atLeast(
      dev.stamp.runtime.seccomp.SeccompProfile.KernelVersion kernel, String version) {
    return kernel.compareTo(
            dev.stamp.runtime.seccomp.SeccompProfile.KernelVersion.parse(version).orElseThrow())
        >= 0;
  }

  /** create + start + wait + remove, as the agent runs a container. */
  private static void runTrue(ContainerRuntime runtime, ContainerSpec spec) throws Exception {
    String id = runtime.create(spec);
    try (RunningContainer c = runtime.start(id, false)) {
      if (c.awaitExit() != 0) {
        throw new IllegalStateException("true failed in stamp");
      }
    }
    runtime.remove(id, false);
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> p : parts) {
      all.addAll(p);
    }
    return all;
  }

  /** posix_spawn + waitpid: the same cost a shell pays to start runc, and nothing more. */
  private static void spawnAndWait(List<String> argv) {
    String[] args = argv.toArray(new String[argv.size() + 1]);
    String[] env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", null};
    IntByReference pid = new IntByReference();
    String path = argv.get(0).startsWith("/") ? argv.get(0) : "/usr/sbin/" + argv.get(0);
    jnr.ffi.Pointer quiet = jnr.ffi.Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(C), 512);
    C.posix_spawn_file_actions_init(quiet);
    C.posix_spawn_file_actions_addopen(quiet, 1, "/dev/null", LibC.O_WRONLY, 0);
    C.posix_spawn_file_actions_addopen(quiet, 2, "/dev/null", LibC.O_WRONLY, 0);
    int rc = C.posix_spawn(pid, path, quiet, null, args, env);
    C.posix_spawn_file_actions_destroy(quiet);
    if (rc != 0) {
      throw new IllegalStateException("spawn " + argv + ": " + C.strerror(rc));
    }
    IntByReference status = new IntByReference();
    C.waitpid(pid.intValue(), status, 0);
    if (status.intValue() != 0) {
      throw new IllegalStateException(argv + " failed: wait status " + status.intValue());
    }
  }

  private static double median(List<Long> v) {
    return percentile(v, 0.5);
  }

  private static double percentile(List<Long> v, double p) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    long[] sorted = v.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
  }
}
