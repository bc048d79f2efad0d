package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand.Result;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stamp run IMAGE} end to end, the CLI as its own process over the image store and the
 * root's default bridge (rather than {@code --rootfs}): whiteouts through {@code stamp run IMAGE},
 * {@code -p} to busybox httpd, bad input leaving nothing behind, /proc and /etc symlinks in an
 * image, and kill -9 of {@code stamp run} at random moments. Each test ends by checking that
 * nothing of its containers is left: container dirs, mounts, cgroups, netns files, veths on the
 * root's bridge.
 */
@RequiresRoot
@Timeout(300)
class RunImageEndToEndIT {

  static final Random RANDOM = new Random();

  @TempDir static Path tmp;
  static Path root;
  static NetworkConfig network;
  static ContainerRuntime runtime;
  static final String BASE = "audit-base:1";
  static final String APP = "audit-app:1";

  /** Every container id this test saw created (from a watch on ROOT/containers). */
  final Set<String> seen = new LinkedHashSet<>();

  @BeforeAll
  static void images() throws Exception {
    root = tmp.resolve("root");
    network = NetworkManager.open(new StampRoot(root)).saveNetwork(CliNet.uniqueNetwork());
    runtime = ContainerRuntime.open(new StampRoot(root));
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    Files.writeString(rootfs.resolve("etc/motd"), "base layer\n");
    Path tar = BusyboxRootfs.tar(rootfs, tmp.resolve("base.tar"));
    assertThat(run("import", tar.toString(), BASE).code()).isZero();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + BASE
            + "\n"
            + "RUN rm /etc/motd && mkdir -p /www && echo 'served from the image' > /www/index.html\n");
    Result build = run("build", "--progress", "plain", "-t", APP, ctx.toString());
    assertThat(build.code()).as(build.err()).isZero();
  }

  @AfterAll
  static void removeNetwork() throws Exception {
    if (network != null) {
      NetworkManager.open(new StampRoot(root)).removeNetwork("bridge");
    }
  }

  @AfterEach
  void nothingLeft() throws Exception {
    for (ContainerInfo i : runtime.list(true)) {
      seen.add(i.id());
      runtime.remove(i.id(), true);
    }
    assertNothingLeft();
  }

  void assertNothingLeft() throws Exception {
    assertThat(runtime.list(true)).isEmpty();
    try (var s = Files.list(root.resolve("containers"))) {
      assertThat(s.filter(p -> !p.getFileName().toString().startsWith(".")).toList()).isEmpty();
    }
    assertThat(Mountinfo.read().anyUnder(root)).as("mounts under the root").isFalse();
    for (String id : seen) {
      for (Path d : Cgroups.detect().dirsFor(id)) {
        assertThat(d).as("cgroup of " + id).doesNotExist();
      }
    }
    Path netns = root.resolve("netns");
    if (Files.isDirectory(netns)) {
      try (var s = Files.list(netns)) {
        assertThat(s.toList()).as("netns files").isEmpty();
      }
    }
    assertThat(bridgePorts()).as("veths on " + network.bridge()).isEmpty();
  }

  // --- the points ---

  @Test
  void whiteoutsHideBaseFilesWhenAnImageRuns() throws Exception {
    Result r =
        run(
            "run",
            "--rm",
            "--network",
            "none",
            APP,
            "sh",
            "-c",
            "ls /etc; test -e /etc/motd && echo motd-visible; cat /www/index.html");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("passwd").doesNotContain("motd");
    assertThat(r.out()).endsWith("served from the image\n");
    Result base = run("run", "--rm", "--network", "none", BASE, "cat", "/etc/motd");
    assertThat(base).isEqualTo(new Result(0, "base layer\n", ""));
  }

  @Test
  void publishedPortReachesBusyboxHttpdOnTheDefaultBridge() throws Exception {
    int port = TestNetworks.freePort();
    Result r = run("run", "-d", "-p", port + ":80", APP, "httpd", "-f", "-p", "80", "-h", "/www");
    assertThat(r.code()).as(r.err()).isZero();
    String id = r.out().strip();
    seen.add(id);
    assertThat(bridgePorts()).hasSize(1);
    assertThat(get("http://127.0.0.1:" + port + "/")).isEqualTo("served from the image\n");
    assertThat(run("rm", "-f", id).code()).isZero();
    assertNothingLeft();
  }

  @Test
  void badInputIsOneLineTheRightExitCodeAndNothingLeft() throws Exception {
    int taken;
    List<Result> results = new ArrayList<>();
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(0));
      taken = listener.getLocalPort();
      try (ContainerWatch watch = new ContainerWatch()) {
        results.add(run("run", "-d", "-p", "99999:80", APP, "httpd", "-f"));
        results.add(run("run", "-d", "-p", taken + ":80", APP, "httpd", "-f"));
        results.add(run("run", "127.0.0.1:9/audit-no-such-image:1"));
        results.add(
            run(
                "run",
                "-d",
                "-p",
                TestNetworks.freePort() + ":80",
                "--user",
                "nosuchuser",
                APP,
                "true"));
        results.add(run("run", "-d", "-p", TestNetworks.freePort() + ":80", APP, "nosuchcommand"));
        results.add(run("run", "-d", "--memory", "12q", APP, "true"));
        seen.addAll(watch.ids());
      }
    }
    List<Integer> codes = results.stream().map(Result::code).toList();
    assertThat(codes).containsExactly(2, 1, 2, 2, 2, 2);
    for (Result r : results) {
      assertThat(r.err().lines()).as(r.err()).hasSize(1);
      assertThat(r.err()).startsWith("stamp: ").doesNotContain("Exception");
      assertThat(r.out()).isEmpty();
    }
    assertThat(results.get(0).err()).contains("99999");
    assertThat(results.get(1).err()).contains(Integer.toString(taken));
    assertThat(results.get(2).err()).contains("audit-no-such-image");
    assertThat(results.get(3).err()).contains("nosuchuser");
    assertThat(results.get(4).err()).contains("nosuchcommand");
    assertThat(results.get(5).err()).contains("12q");
    assertNothingLeft();
  }

  @Test
  void procOrEtcSymlinksInAnImageCannotRedirectMountsToTheHost() throws Exception {
    Path hostDir = Files.createDirectories(tmp.resolve("host-target-" + hex(3)));
    Path hostFile = Files.writeString(tmp.resolve("host-hosts-" + hex(3)), "host file\n");
    Path rootfs = BusyboxRootfs.create(tmp.resolve("evil-" + hex(3)));
    Files.delete(rootfs.resolve("proc"));
    Files.createSymbolicLink(rootfs.resolve("proc"), hostDir);
    Path hostFile2 = Files.writeString(tmp.resolve("host-hostname-" + hex(3)), "host file\n");
    Path hostFile3 = Files.writeString(tmp.resolve("host-resolv-" + hex(3)), "host file\n");
    Files.createSymbolicLink(rootfs.resolve("etc/hosts"), hostFile);
    Files.createSymbolicLink(rootfs.resolve("etc/hostname"), hostFile2);
    Files.createSymbolicLink(rootfs.resolve("etc/resolv.conf"), hostFile3);
    String evil = "audit-evil-proc:" + hex(2);
    assertThat(
            run("import", BusyboxRootfs.tar(rootfs, tmp.resolve(hex(4) + ".tar")).toString(), evil)
                .code())
        .isZero();

    Result proc = run("run", "--rm", evil, "true");
    assertThat(proc.code()).isEqualTo(1);
    assertThat(proc.err()).contains("/proc is a symlink");

    Files.delete(rootfs.resolve("proc"));
    Files.createDirectory(rootfs.resolve("proc"));
    Files.delete(rootfs.resolve("dev"));
    Files.createSymbolicLink(rootfs.resolve("dev"), hostDir);
    String evilDev = "audit-evil-dev:" + hex(2);
    assertThat(
            run(
                    "import",
                    BusyboxRootfs.tar(rootfs, tmp.resolve(hex(4) + ".tar")).toString(),
                    evilDev)
                .code())
        .isZero();
    Result dev = run("run", "--rm", evilDev, "true");
    assertThat(dev.code()).isEqualTo(1);
    assertThat(dev.err()).contains("/dev is a symlink");

    Files.delete(rootfs.resolve("dev"));
    Files.createDirectory(rootfs.resolve("dev"));
    String etc = "audit-evil-etc:" + hex(2);
    assertThat(
            run("import", BusyboxRootfs.tar(rootfs, tmp.resolve(hex(4) + ".tar")).toString(), etc)
                .code())
        .isZero();
    // The links resolve inside the rootfs (where their targets are created, as runc does): the
    // container sees its own files, the host file is neither shown nor mounted over.
    Result hosts =
        run("run", "--rm", "-h", "audit", etc, "sh", "-c", "cat /etc/hostname /etc/hosts");
    assertThat(hosts.code()).as(hosts.err()).isZero();
    assertThat(hosts.out()).startsWith("audit\n").contains("localhost").doesNotContain("host file");

    try (var s = Files.list(hostDir)) {
      assertThat(s.toList()).isEmpty();
    }
    for (Path f : List.of(hostFile, hostFile2, hostFile3)) {
      assertThat(Files.readString(f)).isEqualTo("host file\n");
      assertThat(Mountinfo.read().anyUnder(f)).isFalse();
    }
    assertThat(Mountinfo.read().anyUnder(hostDir)).isFalse();
    assertThat(Mountinfo.read().anyUnder(hostFile)).isFalse();
  }

  @Test
  void killMinus9OfStampRunAtRandomMomentsLeavesATruthfulRemovableState() throws Exception {
    long seed = RANDOM.nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 6; round++) {
      int delay = 300 + random.nextInt(2700);
      int port = TestNetworks.freePort();
      String what = "seed " + seed + ", round " + round + ", kill after " + delay + " ms";
      try (ContainerWatch watch = new ContainerWatch()) {
        Process p =
            cli(
                    "run",
                    "--name",
                    "k" + round,
                    "-p",
                    port + ":80",
                    APP,
                    "httpd",
                    "-f",
                    "-p",
                    "80",
                    "-h",
                    "/www")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread.sleep(delay);
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        settle();
        seen.addAll(watch.ids());
      }
      for (ContainerInfo info : runtime.list(true)) {
        List<Path> dirs = Cgroups.detect().dirsFor(info.id());
        boolean up = info.state().status() == ContainerStatus.RUNNING;
        assertThat(up)
            .as(what + ": ps says " + info.statusText())
            .isEqualTo(Cgroups.populated(dirs));
        if (up) {
          assertThat(get("http://127.0.0.1:" + port + "/"))
              .as(what)
              .isEqualTo("served from the image\n");
        }
        Result ps = run("ps", "-a");
        assertThat(ps.out()).as(what).contains(info.shortId()).contains(info.statusText());
        Result rm = run("rm", "-f", info.id());
        assertThat(rm.code()).as(what + ": " + rm.err()).isZero();
      }
      assertNothingLeft();
    }
  }

  // --- helpers ---

  /** Waits until no container is mid-start (a shim alive but its container not yet reported). */
  void settle() throws Exception {
    for (int i = 0; i < 200; i++) {
      boolean starting =
          runtime.list(true).stream()
              .anyMatch(
                  c ->
                      c.state().status() == ContainerStatus.STARTING
                          && c.state().shim().isPresent());
      if (!starting) {
        return;
      }
      Thread.sleep(50);
    }
  }

  /** The ids that appear in ROOT/containers while it is open. */
  final class ContainerWatch implements AutoCloseable {
    final WatchService watch = FileSystems.getDefault().newWatchService();
    final Set<String> ids = new LinkedHashSet<>();

    ContainerWatch() throws IOException {
      Path dir = Files.createDirectories(root.resolve("containers"));
      dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
    }

    Set<String> ids() {
      WatchKey key;
      while ((key = watch.poll()) != null) {
        for (WatchEvent<?> e : key.pollEvents()) {
          String name = String.valueOf(e.context());
          if (name.matches("[0-9a-f]{64}")) {
            ids.add(name);
          }
        }
        key.reset();
      }
      return ids;
    }

    @Override
    public void close() throws IOException {
      ids();
      watch.close();
    }
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static List<String> bridgePorts() throws Exception {
    Path brif = Path.of("/sys/class/net", network.bridge(), "brif");
    if (!Files.isDirectory(brif)) {
      return List.of();
    }
    try (var s = Files.list(brif)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  static Result run(String... args) {
    return new StampCliProcess(root).run(args);
  }

  static ProcessBuilder cli(String... args) {
    return new ProcessBuilder(new StampCliProcess(root).command(args));
  }

  /** GETs {@code url} until the server answers (10 s at most); null when it never did. */
  static String get(String url) throws InterruptedException {
    return HttpFetch.getWhenUp(url, Duration.ofSeconds(10));
  }
}
