package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresRoot
class ContainerLifecycleIT {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new RuntimeFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  @Test
  void stopSendsTheStopSignal() throws Exception {
    String id =
        f.runtime.create(
            f.spec("sh", "-c", "trap 'exit 7' USR1; echo ready; while :; do sleep 0.1; done")
                .stopSignal("SIGUSR1")
                .build());
    f.runtime.start(id, false).close();
    waitForOutput(id, "ready");
    assertThat(f.runtime.inspect(id).state().status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(f.runtime.stop(id, Duration.ofSeconds(30))).isEqualTo(7);
  }

  @Test
  void stopKillsAfterTheGracePeriod() throws Exception {
    // PID 1 without a handler ignores SIGTERM, so only SIGKILL ends it
    String id = f.runtime.create(f.spec("sleep", "1000").build());
    f.runtime.start(id, false).close();
    assertThat(f.runtime.stop(id, Duration.ofMillis(300))).isEqualTo(137);
    assertThat(f.runtime.inspect(id).state().status()).isEqualTo(ContainerStatus.EXITED);
  }

  @Test
  void initReapsZombiesAndForwardsSigterm() throws Exception {
    String script =
        "trap 'echo got-term; exit 9' TERM; (sleep 0.1 &); sleep 1;"
            + " echo zombies=$(ps -o stat | grep -c Z); cat /proc/1/cmdline | tr '\\0' ' ';"
            + " echo; while :; do sleep 0.1; done";
    String id = f.runtime.create(f.spec("sh", "-c", script).init(true).build());
    f.runtime.start(id, false).close();
    waitForOutput(id, "stamp-init");
    assertThat(f.runtime.stop(id, Duration.ofSeconds(30))).isEqualTo(9);
    assertThat(f.stdout(id)).contains("zombies=0").contains("got-term");
  }

  @Test
  void initBinaryCannotBeOverwrittenFromInside() throws Exception {
    Path shim;
    String out =
        f.stdout(
            f.runId(
                    f.spec(
                            "sh",
                            "-c",
                            "ls -l /proc/1/exe; (echo x >> /proc/1/exe) 2>/dev/null && echo WROTE"
                                + " || echo DENIED")
                        .init(true)
                        .build())
                .id());
    assertThat(out).contains("DENIED").doesNotContain("WROTE").contains("memfd:stamp-init");
    try (var files = Files.list(f.root.path().resolve("runtime"))) {
      shim =
          files
              .filter(p -> p.getFileName().toString().startsWith("stamp-shim-"))
              .findFirst()
              .orElseThrow();
    }
    String name = shim.getFileName().toString();
    String hash =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(shim)));
    assertThat(name).isEqualTo("stamp-shim-" + hash.substring(0, 16));
  }

  @Test
  void readOnlyRootfs() throws Exception {
    String out =
        f.stdout(
            f.runId(
                    f.spec(
                            "sh",
                            "-c",
                            "touch /etc/x 2>/dev/null && echo rootfs-writable; echo ok > /dev/shm/x"
                                + " && echo shm-writable")
                        .readOnly(true)
                        .build())
                .id());
    assertThat(out).isEqualTo("shm-writable\n");
    assertThat(f.sh("touch /etc/x && echo writable")).isEqualTo("writable\n");
  }

  @Test
  void bindMountsAndNamedVolumes() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("shared"));
    Files.writeString(host.resolve("in.txt"), "from host");
    int code =
        f.run(
            f.spec("sh", "-c", "cat /data/in.txt > /data/out.txt && echo v1 > /vol/file")
                .mount(MountSpec.parse(host + ":/data"))
                .mount(MountSpec.parse("vol-" + Long.toHexString(System.nanoTime()) + ":/vol"))
                .build());
    assertThat(code).isZero();
    assertThat(Files.readString(host.resolve("out.txt"))).isEqualTo("from host");
    String volume = f.runtime.list(true).get(0).config().orElseThrow().mounts().get(1).volume();
    // a container without the mounts sees neither: the volume and the bind live outside the image
    assertThat(f.sh("for p in /v /data; do test -e $p && echo $p present || echo $p absent; done"))
        .isEqualTo("/v absent\n/data absent\n");
    String again =
        f.stdout(
            f.runId(f.spec("cat", "/v/file").mount(MountSpec.parse(volume + ":/v")).build()).id());
    assertThat(again).isEqualTo("v1\n");
    String ro =
        f.stdout(
            f.runId(
                    f.spec("sh", "-c", "touch /data/new 2>/dev/null && echo rw || echo ro")
                        .mount(MountSpec.parse(host + ":/data:ro"))
                        .build())
                .id());
    assertThat(ro).isEqualTo("ro\n");
    assertThat(host.resolve("new")).doesNotExist();
  }

  @Test
  void mountTargetThroughASymlinkStaysInsideTheRootfs() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    // an absolute symlink to a host path: it must resolve inside the rootfs, never to the host
    Files.createSymbolicLink(f.rootfs.resolve("evil"), outside);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "x");
    // dangling inside the rootfs: its target is created there (in the container's upper dir)
    assertThat(
            f.run(
                f.spec("ls", outside + "/mnt/f")
                    .mount(MountSpec.parse(src + ":/evil/mnt"))
                    .build()))
        .isZero();
    assertThat(RuntimeFixture.count(outside)).isZero();
    Files.createDirectories(f.rootfs.resolve(outside.toString().substring(1)));
    assertThat(
            f.run(
                f.spec("ls", outside + "/mnt/f")
                    .mount(MountSpec.parse(src + ":/evil/mnt"))
                    .build()))
        .isZero();
    assertThat(RuntimeFixture.count(outside)).isZero();
    // a relative link climbing out with ../ stops at the container's root
    Files.createSymbolicLink(f.rootfs.resolve("climb"), Path.of("../../../../../.." + outside));
    assertThat(
            f.run(
                f.spec("ls", outside + "/mnt2/f")
                    .mount(MountSpec.parse(src + ":/climb/mnt2"))
                    .build()))
        .isZero();
    assertThat(RuntimeFixture.count(outside)).isZero();
  }

  @Test
  void workdirIsCreatedInsideTheRootfs() throws Exception {
    assertThat(f.stdout(f.runId(f.spec("pwd").workdir("/../../srv/app").build()).id()))
        .isEqualTo("/srv/app\n");
    assertThat(f.base.resolve("srv")).doesNotExist();
  }

  @Test
  void killingTheMonitorTakesTheContainerAlongAndPsSaysDead() throws Exception {
    String id = f.runtime.create(f.spec("sleep", "1000").build());
    f.runtime.start(id, false).close();
    ContainerState running = f.runtime.inspect(id).state();
    assertThat(running.status()).isEqualTo(ContainerStatus.RUNNING);
    dev.stamp.runtime.linux.ProcessWatch.signal(running.shim().orElseThrow(), 9);
    assertThat(
            dev.stamp.runtime.linux.ProcessWatch.awaitExit(
                running.process().orElseThrow(), Duration.ofSeconds(10)))
        .isTrue();
    assertThat(f.runtime.inspect(id).state().status()).isEqualTo(ContainerStatus.DEAD);
    f.runtime.remove(id, false);
    assertThat(f.runtime.list(true)).isEmpty();
  }

  @Test
  void runningContainerCannotBeRemovedWithoutForce() throws Exception {
    String id = f.runtime.create(f.spec("sleep", "1000").name("web-" + System.nanoTime()).build());
    f.runtime.start(id, false).close();
    assertThatThrownBy(() -> f.runtime.remove(id, false)).hasMessageContaining("is running");
    f.runtime.remove(id, true);
    assertThat(f.runtime.list(true)).isEmpty();
  }

  @Test
  void namesAreUniqueAndPrefixesResolve() throws Exception {
    String name = "n-" + System.nanoTime();
    String id = f.runtime.create(f.spec("true").name(name).build());
    assertThatThrownBy(() -> f.runtime.create(f.spec("true").name(name).build()))
        .hasMessageContaining("already in use");
    assertThat(f.runtime.inspect(name).id()).isEqualTo(id);
    assertThat(f.runtime.inspect(id.substring(0, 6)).id()).isEqualTo(id);
    assertThat(f.runtime.list(true)).hasSize(1);
  }

  private void waitForOutput(String id, String text) throws Exception {
    for (int i = 0; i < 200 && !f.stdout(id).contains(text); i++) {
      Thread.sleep(50);
    }
  }
}
