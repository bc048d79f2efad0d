package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.linux.ProcessId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExecProbeTest {

  private static final ProcessId PID = new ProcessId(42, 7);

  @Test
  void cmdRunsItsArgvAndCmdShellASh() throws Exception {
    List<String> enter = List.of("nsenter", "-t", "42", "-m", "-u", "-i", "-n", "-p", "-r", "-w");
    assertThat(
            ExecProbe.of(HealthCheck.cmd(List.of("test", "-f", "/ok")), a -> Optional.empty())
                .command(PID))
        .startsWith(enter.toArray(String[]::new))
        .endsWith("--", "test", "-f", "/ok");
    assertThat(ExecProbe.of(HealthCheck.shell("test -f /ok"), a -> Optional.empty()).command(PID))
        .endsWith("--", "/bin/sh", "-c", "test -f /ok");
    assertThatThrownBy(() -> ExecProbe.of(HealthCheck.tcp(), a -> Optional.empty()))
        .hasMessageContaining("not a command");
  }
}
