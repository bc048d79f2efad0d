package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.container.ExecResult;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.HttpProbe;
import dev.stamp.runtime.network.lb.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExecProbeTest {

  @Test
  void cmdRunsItsArgvAndCmdShellAShThroughTheReplicasExec() throws Exception {
    List<List<String>> ran = new ArrayList<>();
    ReplicaExec exec =
        (address, argv, timeout) -> {
          ran.add(argv);
          return address.equals("10.0.0.2")
              ? Optional.of(new ExecResult(argv.contains("/ok") ? 0 : 1, "out\n", false))
              : Optional.empty();
        };
    Backend replica = Backend.of("10.0.0.2");
    ProbeResult ok =
        ExecProbe.of(HealthCheck.cmd(List.of("test", "-f", "/ok")), exec)
            .probe(replica, Duration.ofSeconds(1));
    assertThat(ok.healthy()).isTrue();
    ProbeResult failed =
        ExecProbe.of(HealthCheck.shell("test -f /missing"), exec)
            .probe(replica, Duration.ofSeconds(1));
    assertThat(failed.healthy()).isFalse();
    assertThat(failed.output()).isEqualTo("exit 1: out");
    assertThat(ran)
        .containsExactly(
            List.of("test", "-f", "/ok"), List.of("/bin/sh", "-c", "test -f /missing"));
    assertThat(
            ExecProbe.of(HealthCheck.shell("true"), exec)
                .probe(Backend.of("10.0.0.9"), Duration.ofSeconds(1))
                .output())
        .isEqualTo("no running container at 10.0.0.9");
  }

  @Test
  void aTimedOutCommandFailsAndNonCommandsAreRefused() throws Exception {
    ReplicaExec slow = (address, argv, timeout) -> Optional.of(new ExecResult(-1, "", true));
    assertThat(
            ExecProbe.of(HealthCheck.shell("sleep 9"), slow)
                .probe(Backend.of("10.0.0.2"), Duration.ofMillis(300))
                .output())
        .isEqualTo("timed out after 300 ms");
    assertThatThrownBy(() -> ExecProbe.of(HealthCheck.tcp(), slow))
        .hasMessageContaining("not a command");
    assertThat(ExecProbe.forCheck(HealthCheck.http("/"), slow)).isInstanceOf(HttpProbe.class);
    assertThat(ExecProbe.forCheck(HealthCheck.none(), slow)).isNull();
  }
}
