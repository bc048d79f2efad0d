package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.network.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceRecordTest {

  @Test
  void healthRoundTripsAndARecordOfTheOlderFormStillReads() throws Exception {
    ServiceRecord record =
        new ServiceRecord(
            "web",
            2,
            "img:1",
            List.of(PortMapping.parse("127.0.0.1:30001:80")),
            HealthCheck.cmd(List.of("test", "-f", "/ok")).withInterval(Duration.ofSeconds(1)),
            List.of("a", "b"),
            null,
            null,
            ServiceState.RUNNING,
            0,
            null,
            null);
    String json = JsonRecordDir.json().writeValueAsString(record);
    assertThat(json).contains("\"Test\" : [ \"CMD\", \"test\", \"-f\", \"/ok\" ]");
    assertThat(JsonRecordDir.json().readValue(json, ServiceRecord.class)).isEqualTo(record);

    String older =
        """
        {"name":"web","replicas":1,"image":"img:1",
         "front":{"hostIp":"127.0.0.1","hostPort":30001,"containerPort":80,"protocol":"tcp"},
         "health":{"kind":"cmd","target":"test -f /ok","intervalMillis":300,"timeoutMillis":2000,
                   "retries":1,"startPeriodMillis":0},
         "containers":["a"],"monitorPid":null,"monitorStart":null,"state":"running"}
        """;
    ServiceRecord read = JsonRecordDir.json().readValue(older, ServiceRecord.class);
    assertThat(read.fronts()).containsExactly(PortMapping.parse("127.0.0.1:30001:80"));
    HealthCheck health = read.health();
    assertThat(health.test()).containsExactly("CMD-SHELL", "test -f /ok");
    assertThat(health.interval()).isEqualTo(Duration.ofMillis(300));
    assertThat(health.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(health.retryLimit()).isEqualTo(1);
  }

  /**
   * A record file exactly as the code before several ports wrote it (one {@code front}), in the
   * middle of a replace: it loads through the service records' store with its one front, and what
   * is written back has {@code fronts}.
   */
  @Test
  void aRecordFileOfTheOneFrontFormatLoads(@TempDir Path dir) throws Exception {
    String oneFront =
        """
        {
          "name" : "web",
          "replicas" : 2,
          "image" : "sha256:%1$s",
          "front" : {
            "hostIp" : "127.0.0.1",
            "hostPort" : 30001,
            "containerPort" : 80,
            "protocol" : "tcp"
          },
          "health" : {
            "Test" : [ "HTTP", "/index.html" ],
            "Interval" : 200000000,
            "Timeout" : 1000000000,
            "StartPeriod" : null,
            "StartInterval" : null,
            "Retries" : 2
          },
          "containers" : [ "%2$s", "%3$s" ],
          "monitorPid" : 4242,
          "monitorStart" : 123456,
          "state" : "replacing",
          "generation" : 1,
          "replace" : {
            "startedAt" : "2026-12-06T11:40:00Z",
            "order" : "start-first",
            "image" : "sha256:%1$s",
            "generation" : 2,
            "replica" : 1,
            "oldContainer" : "%2$s",
            "newName" : "web-1.2",
            "newContainer" : null,
            "step" : "switch"
          }
        }
        """
            .formatted("d".repeat(64), "a".repeat(64), "b".repeat(64));
    Path services = Files.createDirectories(dir.resolve("services"));
    Files.writeString(services.resolve("web.json"), oneFront);
    JsonRecordDir<ServiceRecord> records =
        new JsonRecordDir<>(
            services,
            services.resolve("lock"),
            ServiceRecord.class,
            ServiceRecord::name,
            "service");

    ServiceRecord read = records.read("web").orElseThrow();
    assertThat(read.fronts()).containsExactly(PortMapping.parse("127.0.0.1:30001:80"));
    assertThat(read.targetPort()).isEqualTo(80);
    assertThat(read.state()).isEqualTo(ServiceState.REPLACING);
    assertThat(read.replace().step()).isEqualTo(ReplaceRecord.Step.SWITCH);
    assertThat(read.replace().health()).as("written before the step kept its check").isNull();
    assertThat(read.replace().check(read)).isEqualTo(read.health());
    assertThat(read.inFlight()).containsExactly(read.replace());
    assertThat(read.containers()).containsExactly("a".repeat(64), "b".repeat(64));
    assertThat(read.health().test()).containsExactly("HTTP", "/index.html");

    records.write(read);
    assertThat(Files.readString(services.resolve("web.json")))
        .contains("\"fronts\" : [ {")
        .doesNotContain("\"front\" :");
    assertThat(records.read("web")).contains(read);
  }

  @Test
  void aServiceWithoutFrontsHasTargetPortZero() {
    ServiceRecord record =
        ServiceRecord.creating("worker", 2, "img:1", List.of(), HealthCheck.inherit());
    assertThat(record.fronts()).isEmpty();
    assertThat(record.targetPort()).isZero();
  }
}
