package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drift walk on directories laid out like an overlay's layers and upper dir. */
class ContainerDriftTest {

  @TempDir Path tmp;

  private ContainerRecord config(Path lower, Path upper, String workdir, String... targets) {
    List<ContainerRecord.Mount> mounts =
        java.util.Arrays.stream(targets)
            .map(t -> new ContainerRecord.Mount("/host" + t, t, false, null))
            .toList();
    return new ContainerRecord(
        "0".repeat(64),
        "c",
        "img",
        "id",
        "now",
        List.of(lower.toString()),
        upper.toString(),
        null,
        List.of("sh"),
        List.of(),
        workdir,
        null,
        0,
        0,
        List.of(),
        "h",
        mounts,
        0,
        0,
        0,
        false,
        false,
        "none",
        List.of(),
        false,
        15,
        10,
        new ContainerRecord.Intent(List.of(), null, false),
        List.of(),
        List.of(),
        false,
        false,
        null);
  }

  @Test
  void runtimeMadePathsThroughTheLayersSymlinksAreNotDriftButEverythingElseIs() throws Exception {
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Files.createDirectories(lower.resolve("etc"));
    Files.createDirectories(lower.resolve("run"));
    Files.createSymbolicLink(lower.resolve("etc/resolv.conf"), Path.of("../run/dns/resolv.conf"));
    Files.createSymbolicLink(lower.resolve("data"), Path.of("/var/data"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    for (String dir : List.of("proc", "dev", "sys", "etc", "run/dns", "var/data", "app/work")) {
      Files.createDirectories(upper.resolve(dir));
    }
    Files.createFile(upper.resolve("etc/hosts"));
    Files.createFile(upper.resolve("etc/hostname"));
    Files.createFile(upper.resolve("run/dns/resolv.conf"));
    ContainerRecord c = config(lower, upper, "/app/work", "/data");

    Drift fresh = ContainerDrift.read(c, tmp);
    assertThat(fresh.paths()).isEmpty();
    assertThat(fresh.suspect()).isFalse();

    Files.createFile(upper.resolve("etc/x"));
    Files.createDirectories(upper.resolve("new/empty"));
    Files.createDirectories(upper.resolve("usr/lib"));
    Files.writeString(upper.resolve("usr/lib/f"), "x");
    Drift d = ContainerDrift.read(c, tmp);
    assertThat(d.paths()).containsExactly("/etc/x", "/new/empty", "/usr/lib/f");
    assertThat(d.drifted()).isTrue();
    assertThat(d.truncated()).isFalse();

    Instant at = Instant.parse("2026-12-06T12:00:00Z");
    ContainerDrift.markExec(tmp, at);
    assertThat(ContainerDrift.read(c, tmp).execAt()).contains(at);
  }

  @Test
  void theWalkStopsAtItsBound() throws Exception {
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Path upper = Files.createDirectories(tmp.resolve("upper/many"));
    for (int i = 0; i < 20; i++) {
      Files.createFile(upper.resolve("f" + i));
    }
    Drift d = ContainerDrift.read(config(lower, tmp.resolve("upper"), null), tmp, 10);
    assertThat(d.truncated()).isTrue();
    assertThat(d.paths()).hasSizeLessThanOrEqualTo(10);
    assertThat(ContainerDrift.read(config(lower, tmp.resolve("upper"), null), tmp, 100).paths())
        .hasSize(20);
  }
}
