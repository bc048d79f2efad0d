package dev.stamp.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {

  final List<String> journal = new ArrayList<>();
  final List<HostAgent> hosts =
      List.of(
          new FakeAgent("h1", Map.of("role", "web", "zone", "a"), journal),
          new FakeAgent("h2", Map.of("role", "web", "zone", "b"), journal),
          new FakeAgent("h3", Map.of("role", "db"), journal));

  static DesiredApp app(DesiredService... services) {
    return new DesiredApp("shop", "a1", List.of(services));
  }

  @Test
  void replicasSpreadEvenlyOverEveryHost() throws Exception {
    PlacementPlan plan = Placement.place(app(RolloutTest.service("web", "v1", 5)), hosts);
    List<Integer> counts = new ArrayList<>(plan.replicas().get("web").values());
    assertThat(counts).hasSize(3).containsOnly(1, 2);
    assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(5);
  }

  @Test
  void fewerReplicasThanHostsLeaveSomeHostsWithNone() throws Exception {
    PlacementPlan plan = Placement.place(app(RolloutTest.service("web", "v1", 1)), hosts);
    assertThat(plan.hosts("web")).hasSize(1);
    assertThat(plan.replicas().get("web").values()).containsOnly(0, 1);
  }

  @Test
  void theSameInputsGiveTheSamePlacement() throws Exception {
    DesiredApp app = app(RolloutTest.service("web", "v1", 2), RolloutTest.service("db", "v1", 1));
    assertThat(Placement.place(app, hosts)).isEqualTo(Placement.place(app, hosts));
  }

  @Test
  void constraintsOnLabelsAndHostnamesPickTheHosts() throws Exception {
    PlacementPlan plan =
        Placement.place(
            app(
                RolloutTest.service("web", "v1", 4)
                    .withConstraints(List.of("node.labels.role == web", "node.labels.zone != b")),
                RolloutTest.service("db", "v1", 1).withConstraints(List.of("node.hostname==h3")),
                RolloutTest.service("worker", "v1", 2)
                    .withConstraints(List.of("node.hostname != h3"))),
            hosts);
    assertThat(plan.replicas().get("web"))
        .containsEntry("h1", 4)
        .containsEntry("h2", 0)
        .containsEntry("h3", 0);
    assertThat(plan.hosts("db")).containsExactly("h3");
    assertThat(plan.replicas().get("worker")).containsEntry("h1", 1).containsEntry("h2", 1);
  }

  @Test
  void aMissingLabelIsUnequalToEverything() throws Exception {
    PlacementPlan plan =
        Placement.place(
            app(
                RolloutTest.service("web", "v1", 3)
                    .withConstraints(List.of("node.labels.zone != a"))),
            hosts);
    assertThat(plan.hosts("web")).containsExactlyInAnyOrder("h2", "h3");
  }

  @Test
  void noMatchingHostIsBadInputNamingTheServiceAndConstraint() {
    assertThatThrownBy(
            () ->
                Placement.place(
                    app(
                        RolloutTest.service("web", "v1", 1)
                            .withConstraints(List.of("node.labels.role == gpu"))),
                    hosts))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("service web")
        .hasMessageContaining("node.labels.role == gpu")
        .extracting(e -> ((ControllerException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void anUnreadableConstraintIsBadInput() {
    assertThatThrownBy(
            () ->
                Placement.place(
                    app(
                        RolloutTest.service("web", "v1", 1)
                            .withConstraints(List.of("node.role == manager"))),
                    hosts))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("service web")
        .hasMessageContaining("\"node.role == manager\"");
  }
}
