package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.runtime.StateTransitionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The service transition table, and records written before states were an enum. */
class ServiceStateTest {

  static final Set<List<ServiceState>> LEGAL =
      Set.of(
          List.of(ServiceState.CREATING, ServiceState.RUNNING),
          List.of(ServiceState.CREATING, ServiceState.REMOVING),
          List.of(ServiceState.RUNNING, ServiceState.REPLACING),
          List.of(ServiceState.RUNNING, ServiceState.REMOVING),
          List.of(ServiceState.REPLACING, ServiceState.RUNNING),
          List.of(ServiceState.REPLACING, ServiceState.REMOVING),
          List.of(ServiceState.REMOVING, ServiceState.REMOVING));

  static Stream<Arguments> moves() {
    List<Arguments> moves = new ArrayList<>();
    for (ServiceState from : ServiceState.values()) {
      for (ServiceState to : ServiceState.values()) {
        moves.add(Arguments.of(from, to));
      }
    }
    return moves.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("moves")
  void legalMovesPassAndEveryOtherIsRefusedNamingBothStates(ServiceState from, ServiceState to)
      throws Exception {
    ServiceRecord record = record(from);
    if (LEGAL.contains(List.of(from, to))) {
      assertThat(ServiceState.TRANSITIONS.allows(from, to)).isTrue();
      assertThat(record.moveTo("move service web", to).state()).isEqualTo(to);
    } else {
      assertThat(ServiceState.TRANSITIONS.allows(from, to)).isFalse();
      assertThatThrownBy(() -> record.moveTo("move service web", to))
          .isInstanceOfSatisfying(
              StateTransitionException.class,
              e -> {
                assertThat(e.from()).isEqualTo(from);
                assertThat(e.to()).isEqualTo(to);
                assertThat(e.getMessage())
                    .isEqualTo(
                        "move service web: it is "
                            + from.label()
                            + ", it cannot become "
                            + to.label());
              });
    }
  }

  @Test
  void recordsWithStringStatesStillLoadAndAreWrittenTheSameWay() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String old =
        "{\"name\":\"web\",\"replicas\":2,\"image\":\"base:1\","
            + "\"front\":{\"hostIp\":\"127.0.0.1\",\"hostPort\":8080,\"containerPort\":80,"
            + "\"protocol\":\"tcp\"},"
            + "\"health\":{\"kind\":\"tcp\",\"target\":\"\",\"intervalMillis\":5000,"
            + "\"timeoutMillis\":2000,\"retries\":3,\"startPeriodMillis\":0},"
            + "\"containers\":[\"a\",\"b\"],\"monitorPid\":null,\"monitorStart\":null,"
            + "\"state\":\"running\"}";
    ServiceRecord record = json.readValue(old, ServiceRecord.class);
    assertThat(record.state()).isEqualTo(ServiceState.RUNNING);
    assertThat(json.readTree(json.writeValueAsString(record)).get("state").asText())
        .isEqualTo("running");
    for (ServiceState s : ServiceState.values()) {
      assertThat(ServiceState.of(s.label())).isEqualTo(s);
      assertThat(ServiceState.of(s.name())).isEqualTo(s);
    }
    assertThatCode(() -> ServiceState.of("Removing")).doesNotThrowAnyException();
  }

  static ServiceRecord record(ServiceState state) {
    return new ServiceRecord(
        "web", 1, "base:1", null, null, List.of(), null, null, state, 0, null, null);
  }
}
