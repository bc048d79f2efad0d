package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.linux.CgroupStats;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What callers get from {@link ContainerRuntime} instead of its files: status, stats, top, exec.
 */
@RequiresRoot
class ContainerFacadeIT {

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
  void execRunsInTheContainersNamespacesCgroupUserAndEnvironment() throws Exception {
    String id =
        f.runtime.create(
            f.spec("sleep", "1000")
                .name("exec-me")
                .hostname("inside")
                .env("GREETING", "hi")
                .build());
    f.runtime.start(id, false).close();
    assertThat(f.runtime.resolve("exec-me")).isEqualTo(id);
    assertThat(f.runtime.idOfName("exec-me")).contains(id);
    assertThat(f.runtime.status("exec-me")).isEqualTo(ContainerStatus.RUNNING);

    ExecResult r =
        f.runtime.exec(
            "exec-me",
            List.of("sh", "-c", "hostname; id -u; echo $GREETING; ls /proc | grep -c '^[0-9]'"),
            Duration.ofSeconds(10));
    assertThat(r.succeeded()).as(r.output()).isTrue();
    List<String> lines = r.output().lines().toList();
    assertThat(lines.subList(0, 3)).containsExactly("inside", "0", "hi");
    assertThat(Integer.parseInt(lines.get(3))).as("pids seen: the container's own").isLessThan(6);

    CompletableFuture<ExecResult> sleeper =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return f.runtime.exec(id, List.of("sleep", "2"), Duration.ofSeconds(10));
              } catch (HostRuntimeException e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean seen = false;
    while (!seen && System.nanoTime() < deadline) {
      seen = f.runtime.processes(id).stream().anyMatch(p -> p.command().equals("sleep 2"));
      Thread.sleep(50);
    }
    assertThat(seen).as("the exec'd process is in the container's cgroup").isTrue();
    assertThat(sleeper.get(10, TimeUnit.SECONDS).exitCode()).isZero();

    assertThat(f.runtime.exec(id, List.of("sh", "-c", "exit 3"), Duration.ofSeconds(10)))
        .isEqualTo(new ExecResult(3, "", false));
    ExecResult slow = f.runtime.exec(id, List.of("sleep", "30"), Duration.ofMillis(300));
    assertThat(slow.timedOut()).isTrue();
    assertThat(f.runtime.processes(id))
        .extracting(ContainerProcess::command)
        .containsExactly("sleep 1000");

    CgroupStats stats = f.runtime.stats(id);
    assertThat(stats.pids()).isPositive();
    assertThat(stats.memoryBytes()).isPositive();

    f.runtime.stop(id, Duration.ofMillis(200));
    assertThat(f.runtime.status(id)).isEqualTo(ContainerStatus.EXITED);
    assertThatThrownBy(() -> f.runtime.exec(id, List.of("true"), Duration.ofSeconds(1)))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("not running")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.CONFLICT);
    assertThatThrownBy(() -> f.runtime.processes(id)).hasMessageContaining("not running");
  }

  @Test
  void unknownContainersAreNotFound() {
    assertThatThrownBy(() -> f.runtime.status("nope"))
        .isInstanceOf(HostRuntimeException.class)
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
    assertThat(f.runtime.idOfName("nope")).isEmpty();
  }
}
