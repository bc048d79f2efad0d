package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.network.PortMapping;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceRecordTest {

  @Test
  void healthRoundTripsAndARecordOfTheOlderFormStillReads() throws Exception {
    ServiceRecord record =
        new ServiceRecord(
            "web",
            2,
            "img:1",
            PortMapping.parse("127.0.0.1:30001:80"),
            HealthCheck.cmd(List.of("test", "-f", "/ok")).withInterval(Duration.ofSeconds(1)),
            List.of("a", "b"),
            null,
            null,
            ServiceState.RUNNING,
            0,
            null);
    String json = JsonRecordDir.JSON.writeValueAsString(record);
    assertThat(json).contains("\"Test\" : [ \"CMD\", \"test\", \"-f\", \"/ok\" ]");
    assertThat(JsonRecordDir.JSON.readValue(json, ServiceRecord.class)).isEqualTo(record);

    String older =
        """
        {"name":"web","replicas":1,"image":"img:1",
         "front":{"hostIp":"127.0.0.1","hostPort":30001,"containerPort":80,"protocol":"tcp"},
         "health":{"kind":"cmd","target":"test -f /ok","intervalMillis":300,"timeoutMillis":2000,
                   "retries":1,"startPeriodMillis":0},
         "containers":["a"],"monitorPid":null,"monitorStart":null,"state":"running"}
        """;
    HealthCheck health = JsonRecordDir.JSON.readValue(older, ServiceRecord.class).health();
    assertThat(health.test()).containsExactly("CMD-SHELL", "test -f /ok");
    assertThat(health.interval()).isEqualTo(Duration.ofMillis(300));
    assertThat(health.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(health.retryLimit()).isEqualTo(1);
  }
}
