package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
            ReplaceRecord.Step.CREATE);
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
            replace);
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
