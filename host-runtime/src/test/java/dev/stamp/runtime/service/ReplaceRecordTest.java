package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replace-in-flight record keeps the documented JSON form (the agent recovers from it). */
class ReplaceRecordTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void writtenAndReadInTheDocumentedForm() throws Exception {
    ReplaceRecord replace =
        new ReplaceRecord(
            "2026-12-06T11:40:00Z",
            ReplaceRecord.Order.STOP_FIRST,
            "base:2",
            1,
            2,
            "a".repeat(64),
            "web-2.1",
            null,
            ReplaceRecord.Step.CREATE,
            null);
    ServiceRecord record =
        new ServiceRecord(
            "web",
            2,
            "base:1",
            null,
            null,
            List.of("x", "y"),
            null,
            null,
            ServiceState.REPLACING,
            0,
            replace,
            null);
    JsonNode tree = json.readTree(json.writeValueAsString(record));
    assertThat(tree.get("state").asText()).isEqualTo("replacing");
    JsonNode r = tree.get("replace");
    assertThat(r.get("order").asText()).isEqualTo("stop-first");
    assertThat(r.get("step").asText()).isEqualTo("create");
    assertThat(r.get("replica").asInt()).isEqualTo(2);
    assertThat(r.get("newName").asText()).isEqualTo("web-2.1");
    assertThat(r.get("newContainer").isNull()).isTrue();
    assertThat(json.readValue(tree.toString(), ServiceRecord.class)).isEqualTo(record);

    for (ReplaceRecord.Step step : ReplaceRecord.Step.values()) {
      assertThat(ReplaceRecord.Step.of(step.label())).isEqualTo(step);
    }
    assertThat(ReplaceRecord.Order.of("start-first")).isEqualTo(ReplaceRecord.Order.START_FIRST);
  }

  @Test
  void aBatchInFlightKeepsItsFirstStepAsReplaceAndTheOthersWithTheNewCheck() throws Exception {
    HealthCheck ready = HealthCheck.http("/ready").withInterval(Duration.ofMillis(200));
    ReplaceRecord one =
        new ReplaceRecord(
            "2026-12-06T11:40:00Z",
            ReplaceRecord.Order.START_FIRST,
            "base:2",
            1,
            3,
            "a".repeat(64),
            "web-3.1",
            null,
            ReplaceRecord.Step.CREATE,
            ready);
    ReplaceRecord two =
        new ReplaceRecord(
            "2026-12-06T11:40:00Z",
            ReplaceRecord.Order.START_FIRST,
            "base:2",
            1,
            4,
            "b".repeat(64),
            "web-4.1",
            null,
            ReplaceRecord.Step.CREATE,
            ready);
    ServiceRecord record =
        new ServiceRecord(
                "web",
                4,
                "base:1",
                null,
                HealthCheck.http("/ok"),
                List.of("w", "x", "y", "z"),
                null,
                null,
                ServiceState.REPLACING,
                0,
                null,
                null)
            .withInFlight(List.of(one, two));
    JsonNode tree = json.readTree(json.writeValueAsString(record));
    assertThat(tree.get("replace").get("replica").asInt()).isEqualTo(3);
    assertThat(tree.get("batch")).hasSize(1);
    assertThat(tree.get("batch").get(0).get("newName").asText()).isEqualTo("web-4.1");
    assertThat(tree.get("replace").get("health").get("Test").toString())
        .isEqualTo("[\"HTTP\",\"/ready\"]");
    ServiceRecord read = json.readValue(tree.toString(), ServiceRecord.class);
    assertThat(read).isEqualTo(record);
    assertThat(read.inFlight()).containsExactly(one, two);
    assertThat(read.inFlight().get(1).check(read)).isEqualTo(ready);
    assertThat(read.replaced("base:2", 1).inFlight()).isEmpty();
    assertThat(json.readTree(json.writeValueAsString(read.withInFlight(List.of()))).has("batch"))
        .as("no batch in flight: not written")
        .isFalse();
  }

  @Test
  void replicaNamesCarryTheGeneration() {
    assertThat(ServiceRecord.replicaName("web", 3, 0)).isEqualTo("web-3");
    assertThat(ServiceRecord.replicaName("web", 3, 2)).isEqualTo("web-3.2");
  }

  @Test
  void recordsFromBeforeReplacesHaveGenerationZeroAndNoReplace() throws Exception {
    ServiceRecord old =
        json.readValue(
            "{\"name\":\"web\",\"replicas\":1,\"image\":\"i\",\"containers\":[],"
                + "\"state\":\"creating\"}",
            ServiceRecord.class);
    assertThat(old.generation()).isZero();
    assertThat(old.replace()).isNull();
    assertThat(old.state()).isEqualTo(ServiceState.CREATING);
  }
}
