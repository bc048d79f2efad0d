package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StateTransitionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The container transition table: every legal move passes, every other one is refused. */
class ContainerStatusTest {

  static final Set<List<ContainerStatus>> LEGAL =
      Set.of(
          List.of(ContainerStatus.CREATED, ContainerStatus.STARTING),
          List.of(ContainerStatus.CREATED, ContainerStatus.REMOVED),
          List.of(ContainerStatus.STARTING, ContainerStatus.RUNNING),
          List.of(ContainerStatus.STARTING, ContainerStatus.EXITED),
          List.of(ContainerStatus.STARTING, ContainerStatus.DEAD),
          List.of(ContainerStatus.RUNNING, ContainerStatus.EXITED),
          List.of(ContainerStatus.RUNNING, ContainerStatus.DEAD),
          List.of(ContainerStatus.EXITED, ContainerStatus.REMOVED),
          List.of(ContainerStatus.DEAD, ContainerStatus.REMOVED));

  static Stream<Arguments> moves() {
    List<Arguments> moves = new ArrayList<>();
    for (ContainerStatus from : ContainerStatus.values()) {
      for (ContainerStatus to : ContainerStatus.values()) {
        moves.add(Arguments.of(from, to));
      }
    }
    return moves.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("moves")
  void legalMovesPassAndEveryOtherIsRefusedNamingBothStates(
      ContainerStatus from, ContainerStatus to) {
    if (LEGAL.contains(List.of(from, to))) {
      assertThat(ContainerStatus.TRANSITIONS.allows(from, to)).isTrue();
      assertThatCode(() -> from.checkMove("move container x", to, null)).doesNotThrowAnyException();
    } else {
      assertThat(ContainerStatus.TRANSITIONS.allows(from, to)).isFalse();
      assertThatThrownBy(() -> from.checkMove("move container x", to, "a hint"))
          .isInstanceOfSatisfying(
              StateTransitionException.class,
              e -> {
                assertThat(e.from()).isEqualTo(from);
                assertThat(e.to()).isEqualTo(to);
                assertThat(e.kind()).isEqualTo(StampException.Kind.CONFLICT);
                assertThat(e.getMessage())
                    .isEqualTo(
                        "move container x: it is "
                            + from.label()
                            + ", it cannot become "
                            + to.label()
                            + " (a hint)");
              });
    }
  }

  @Test
  void removedIsFinal() {
    assertThat(ContainerStatus.TRANSITIONS.targets(ContainerStatus.REMOVED)).isEmpty();
  }
}
