package dev.stamp.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.controller.rollout.HostServiceResult.Outcome;
import dev.stamp.controller.rollout.RolloutPlan.Action;
import dev.stamp.controller.rollout.RolloutResult.State;
import dev.stamp.runtime.StampException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RolloutTest {

  final List<String> journal = new CopyOnWriteArrayList<>();
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
  final FakeTime time = new FakeTime();
  final FakeAgent h1 = new FakeAgent("h1", Map.of("role", "web"), journal);
  final FakeAgent h2 = new FakeAgent("h2", Map.of("role", "web"), journal);
  final FakeAgent h3 = new FakeAgent("h3", Map.of("role", "db"), journal);

  static String image(String service, String version) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest((service + version).getBytes(StandardCharsets.UTF_8));
      return "registry.lan/shop/" + service + "@sha256:" + HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ServiceSpec spec(String service, String version, int replicas) {
    return new ServiceSpec(
        image(service, version),
        List.of("httpd", "-f"),
        null,
        Map.of("VERSION", version),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        replicas,
        null,
        null,
        null,
        null);
  }

  static DesiredService service(String name, String version, int replicas) {
    return DesiredService.of(name, spec(name, version, replicas));
  }

  static ComposeService.Dependency healthy() {
    return new ComposeService.Dependency("service_healthy", true, false);
  }

  /** db on h3 (role db), web (2 replicas) on h1 and h2 (role web), web depends on db. */
  static DesiredApp shop(String release, String dbVersion, String webVersion) {
    return new DesiredApp(
        "shop",
        release,
        List.of(
            service("web", webVersion, 2)
                .withConstraints(List.of("node.labels.role == web"))
                .withDependsOn(Map.of("db", healthy())),
            service("db", dbVersion, 1).withConstraints(List.of("node.labels.role == db"))));
  }

  Rollout rollout(FakeAgent... hosts) {
    return new Rollout(List.of(hosts), events::add, time.timing());
  }

  List<String> puts() {
    return journal.stream().filter(l -> l.startsWith("put ")).toList();
  }

  @Test
  void removingAnAppDeletesItsServicesOnEveryHostAndAHostThatIsDownIsLeftForTheNextTry()
      throws Exception {
    Rollout r = rollout(h1, h2, h3);
    assertThat(r.apply(shop("a1", "v1", "v1"), Optional.empty()).state())
        .isEqualTo(State.SUCCEEDED);
    h3.preload("billing.api", spec("api", "v1", 1));
    h3.down = true;

    Rollout.Removal first = r.remove("shop");

    assertThat(first.deleted())
        .containsOnly(Map.entry("h1", List.of("shop.web")), Map.entry("h2", List.of("shop.web")));
    assertThat(first.failed()).containsOnlyKeys("h3");
    assertThat(first.failed().get("h3")).contains("h3");

    h3.down = false;
    Rollout.Removal second = r.remove("shop");

    assertThat(second.deleted()).containsOnly(Map.entry("h3", List.of("shop.db")));
    assertThat(second.failed()).isEmpty();
    assertThat(journal).contains("delete h3 shop.db").doesNotContain("delete h3 billing.api");
    assertThat(events)
        .filteredOn(e -> e.phase() == RolloutEvent.Phase.REMOVED)
        .extracting(RolloutEvent::service, RolloutEvent::host)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("web", "h1"),
            org.assertj.core.groups.Tuple.tuple("web", "h2"),
            org.assertj.core.groups.Tuple.tuple("db", "h3"));
  }

  @Test
  void aFirstApplyCreatesDependenciesFirstAndASecondApplyChangesNothing() throws Exception {
    Rollout r = rollout(h1, h2, h3);
    RolloutPlan plan = r.plan(shop("a1", "v1", "v1"));
    assertThat(plan.steps())
        .extracting(RolloutPlan.Step::service, RolloutPlan.Step::host, RolloutPlan.Step::action)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("web", "h1", Action.CREATE),
            org.assertj.core.groups.Tuple.tuple("web", "h2", Action.CREATE),
            org.assertj.core.groups.Tuple.tuple("db", "h3", Action.CREATE));

    RolloutResult first = r.apply(shop("a1", "v1", "v1"), Optional.empty());

    assertThat(first.state()).isEqualTo(State.SUCCEEDED);
    assertThat(first.results())
        .extracting(HostServiceResult::outcome)
        .containsOnly(Outcome.SUCCEEDED);
    // db running before web is put anywhere
    assertThat(journal.indexOf("running h3 shop.db 1"))
        .isLessThan(journal.indexOf("put h1 shop.web 1"))
        .isGreaterThanOrEqualTo(0);
    // one replica on each web host: the total of 2 spread
    assertThat(h1.spec("shop.web").orElseThrow().replicas()).isEqualTo(1);
    assertThat(h2.spec("shop.web").orElseThrow().replicas()).isEqualTo(1);
    assertThat(h3.names()).containsExactly("shop.db");

    int changedBefore = h1.changedPuts + h2.changedPuts + h3.changedPuts;
    assertThat(r.plan(shop("a1", "v1", "v1")).changes()).isFalse();
    RolloutResult again = r.apply(shop("a1", "v1", "v1"), Optional.empty());
    assertThat(again.state()).isEqualTo(State.SUCCEEDED);
    assertThat(again.results())
        .extracting(HostServiceResult::outcome)
        .containsOnly(Outcome.UNCHANGED);
    assertThat(h1.changedPuts + h2.changedPuts + h3.changedPuts).isEqualTo(changedBefore);
  }

  @Test
  void aControllerKilledAfterItsPutsConvergesWithoutPuttingAgain() throws Exception {
    DesiredApp app = shop("a1", "v1", "v1");
    // what a killed controller left: every spec put, nothing waited for yet
    h3.put("shop.db", spec("db", "v1", 1));
    h1.put("shop.web", spec("web", "v1", 1));
    h2.put("shop.web", spec("web", "v1", 1));
    journal.clear();

    RolloutResult result = rollout(h1, h2, h3).apply(app, Optional.empty());

    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    assertThat(result.results())
        .extracting(HostServiceResult::outcome)
        .containsOnly(Outcome.UNCHANGED);
    assertThat(puts()).isEmpty();
    assertThat(journal).contains("running h3 shop.db 1", "running h1 shop.web 1");
  }

  @Test
  void onlyTheChangedServiceIsReplacedAndThePlanSaysWhy() throws Exception {
    Rollout r = rollout(h1, h2, h3);
    r.apply(shop("a1", "v1", "v1"), Optional.empty());
    journal.clear();

    RolloutPlan plan = r.plan(shop("b2", "v1", "v2"));
    assertThat(plan.steps("db"))
        .extracting(RolloutPlan.Step::action)
        .containsExactly(Action.UNCHANGED);
    assertThat(plan.steps("web")).extracting(RolloutPlan.Step::action).containsOnly(Action.REPLACE);
    assertThat(plan.steps("web").get(0).reason())
        .startsWith("image changed: " + image("web", "v1"))
        .endsWith(image("web", "v2"));
    assertThat(plan.lines()).contains("db on h3: unchanged");

    RolloutResult result = r.apply(shop("b2", "v1", "v2"), Optional.empty());
    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    assertThat(puts()).containsExactly("put h1 shop.web 2", "put h2 shop.web 2");
    assertThat(result.results("db"))
        .extracting(HostServiceResult::outcome)
        .containsExactly(Outcome.UNCHANGED);
  }

  @Test
  void aDependencyCycleIsBadInputNamingIt() {
    DesiredApp app =
        new DesiredApp(
            "shop",
            "c1",
            List.of(
                service("a", "v1", 1).withDependsOn(Map.of("b", healthy())),
                service("b", "v1", 1).withDependsOn(Map.of("c", healthy())),
                service("c", "v1", 1).withDependsOn(Map.of("a", healthy()))));
    assertThatThrownBy(() -> rollout(h1).apply(app, Optional.empty()))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("cycle: a -> b -> c -> a")
        .extracting(e -> ((ControllerException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
    assertThat(journal).isEmpty();
  }

  @Test
  void hostsRollInBatchesOfParallelismWithTheDelayBetweenThem() throws Exception {
    FakeAgent h4 = new FakeAgent("h4", Map.of(), journal);
    DesiredApp app =
        new DesiredApp(
            "shop",
            "a1",
            List.of(
                service("web", "v1", 3)
                    .withUpdate(
                        UpdatePolicy.DEFAULT
                            .withParallelism(2)
                            .withDelay(Duration.ofSeconds(10)))));
    RolloutResult result = rollout(h1, h2, h4).apply(app, Optional.empty());

    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    List<String> order =
        journal.stream().filter(l -> l.startsWith("put ") || l.startsWith("running ")).toList();
    // two hosts put together, both running before the third is put
    assertThat(order.subList(0, 2)).allMatch(l -> l.startsWith("put "));
    assertThat(order.subList(2, 4)).allMatch(l -> l.startsWith("running "));
    assertThat(order.subList(4, 6))
        .extracting(l -> l.split(" ")[0])
        .containsExactly("put", "running");
    assertThat(time.sleeps).containsOnlyOnce(Duration.ofSeconds(10));
  }

  @Test
  void parallelismZeroPutsEveryHostBeforeWaiting() throws Exception {
    DesiredApp app =
        new DesiredApp(
            "shop",
            "a1",
            List.of(service("web", "v1", 3).withUpdate(UpdatePolicy.DEFAULT.withParallelism(0))));
    rollout(h1, h2, h3).apply(app, Optional.empty());
    assertThat(journal.subList(0, 3)).allMatch(l -> l.startsWith("put "));
  }

  @Test
  void pauseStopsAtTheFirstFailingHostAndSaysWhyWithTheLogTail() throws Exception {
    Rollout r = rollout(h1, h2, h3);
    r.apply(shop("a1", "v1", "v1"), Optional.empty());
    h1.failing = s -> s.image().equals(image("web", "v2"));
    journal.clear();

    RolloutResult result = r.apply(shop("b2", "v1", "v2"), Optional.empty());

    assertThat(result.state()).isEqualTo(State.PAUSED);
    assertThat(result.message())
        .contains("service web on h1")
        .contains("never became healthy")
        .contains("health check failed: exit 1");
    assertThat(puts()).containsExactly("put h1 shop.web 2"); // h2 never touched
    Map<String, Outcome> web = outcomes(result, "web");
    assertThat(web).containsEntry("h1", Outcome.FAILED).containsEntry("h2", Outcome.NOT_STARTED);
    assertThat(events).anyMatch(e -> e.phase() == RolloutEvent.Phase.PAUSED);
  }

  @Test
  void continueGoesOnToTheOtherHostsAndEndsFailed() throws Exception {
    Rollout r = rollout(h1, h2, h3);
    r.apply(shop("a1", "v1", "v1"), Optional.empty());
    h1.failing = s -> s.image().equals(image("web", "v2"));
    DesiredApp next = shop("b2", "v1", "v2");
    next =
        next.withService(
            next.service("web")
                .orElseThrow()
                .withUpdate(UpdatePolicy.DEFAULT.withFailureAction(UpdatePolicy.CONTINUE)));
    journal.clear();

    RolloutResult result = r.apply(next, Optional.empty());

    assertThat(result.state()).isEqualTo(State.FAILED);
    assertThat(outcomes(result, "web"))
        .containsEntry("h1", Outcome.FAILED)
        .containsEntry("h2", Outcome.SUCCEEDED);
  }

  @Test
  void rollbackPutsEveryChangedServiceBackToTheLastGoodSpecAndRemovesNewOnes() throws Exception {
    Rollout r = rollout(h1, h2, h3);
    DesiredApp good = shop("a1", "v1", "v1");
    r.apply(good, Optional.empty());
    DesiredApp bad = shop("b2", "v2", "v2");
    bad =
        bad.withService(
                bad.service("web")
                    .orElseThrow()
                    .withUpdate(UpdatePolicy.DEFAULT.withFailureAction(UpdatePolicy.ROLLBACK)))
            .withService(
                service("cache", "v1", 1)
                    .withConstraints(List.of("node.hostname == h3"))
                    .withDependsOn(Map.of()));
    h2.failing = s -> s.image().equals(image("web", "v2"));

    RolloutResult result = r.apply(bad, Optional.of(good));

    assertThat(result.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(result.message()).contains("rolled back to release a1").contains("web on h2");
    // every host runs the last good specs again; the new service is gone
    assertThat(SpecDigest.of(h3.spec("shop.db").orElseThrow()))
        .isEqualTo(SpecDigest.of(spec("db", "v1", 1)));
    assertThat(h1.spec("shop.web").orElseThrow().image()).isEqualTo(image("web", "v1"));
    assertThat(h2.spec("shop.web").orElseThrow().image()).isEqualTo(image("web", "v1"));
    assertThat(h3.names()).containsExactly("shop.db");
    assertThat(outcomes(result, "db")).containsEntry("h3", Outcome.ROLLED_BACK);
    assertThat(outcomes(result, "web"))
        .containsEntry("h1", Outcome.ROLLED_BACK)
        .containsEntry("h2", Outcome.ROLLED_BACK);
    assertThat(events).anyMatch(e -> e.phase() == RolloutEvent.Phase.ROLLING_BACK);
    assertThat(r.plan(good).changes()).isFalse();
  }

  @Test
  void rollbackWithoutALastGoodReleaseLeavesThingsAndFails() throws Exception {
    DesiredApp app =
        new DesiredApp(
            "shop",
            "a1",
            List.of(
                service("web", "v1", 1)
                    .withUpdate(UpdatePolicy.DEFAULT.withFailureAction(UpdatePolicy.ROLLBACK))));
    h1.failing = s -> true;
    RolloutResult result = rollout(h1).apply(app, Optional.empty());
    assertThat(result.state()).isEqualTo(State.FAILED);
    assertThat(result.message()).contains("no last good release");
  }

  @Test
  void anUnreachableAgentIsRetriedThenLeftOutAndTheReleaseIsPartial() throws Exception {
    h2.down = true;
    DesiredApp app = shop("a1", "v1", "v1");
    RolloutResult result = rollout(h1, h2, h3).apply(app, Optional.empty());

    assertThat(result.state()).isEqualTo(State.PARTIAL);
    assertThat(result.message()).contains("h2");
    assertThat(outcomes(result, "web"))
        .containsEntry("h1", Outcome.SUCCEEDED)
        .containsEntry("h2", Outcome.FAILED);
    assertThat(result.results("web"))
        .filteredOn(x -> x.host().equals("h2"))
        .first()
        .extracting(HostServiceResult::message)
        .asString()
        .contains("unreachable")
        .contains("Connection refused");
    assertThat(h2.calls).isEqualTo(3); // the bounded attempts of the plan's listing, then left out
    assertThat(time.sleeps).contains(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(events).anyMatch(e -> e.phase() == RolloutEvent.Phase.RETRYING);
    assertThat(h1.names()).containsExactly("shop.web");
  }

  @Test
  void anAgentThatFailsTwiceIsRetriedAndTheRolloutSucceeds() throws Exception {
    DesiredApp app = shop("a1", "v1", "v1");
    Rollout r = rollout(h1, h2, h3);
    r.plan(app);
    h1.flaky = 2; // two 503s, then answers
    RolloutResult result = r.apply(app, Optional.empty());
    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
  }

  @Test
  void anAgentThatStopsAnsweringMidRolloutIsLeftOutAndTheOtherHostsGoOn() throws Exception {
    h1.downOnPut = true;
    DesiredApp app = new DesiredApp("shop", "a1", List.of(service("web", "v1", 2)));
    RolloutResult result = rollout(h1, h2).apply(app, Optional.empty());
    assertThat(result.state()).isEqualTo(State.PARTIAL);
    assertThat(outcomes(result, "web"))
        .containsEntry("h1", Outcome.FAILED)
        .containsEntry("h2", Outcome.SUCCEEDED);
    assertThat(result.results("web").get(0).message())
        .contains("unreachable")
        .contains("Connection reset")
        .contains("after 3 attempts");
  }

  @Test
  void aServiceThatStopsRunningWithinMonitorFails() throws Exception {
    h1.crashing = s -> true;
    DesiredApp watched =
        new DesiredApp(
            "shop",
            "a1",
            List.of(
                service("web", "v1", 1)
                    .withUpdate(UpdatePolicy.DEFAULT.withMonitor(Duration.ofSeconds(5)))));
    RolloutResult result = rollout(h1).apply(watched, Optional.empty());
    assertThat(result.state()).isEqualTo(State.PAUSED);
    assertThat(result.results().get(0).message())
        .contains("stopped running within monitor PT5S")
        .contains("1:exited");
  }

  @Test
  void rollbackGoesAtRollbackConfigsPace() throws Exception {
    FakeAgent h4 = new FakeAgent("h4", Map.of(), journal);
    Rollout r = rollout(h1, h2, h4);
    DesiredApp good = new DesiredApp("shop", "a1", List.of(service("web", "v1", 3)));
    r.apply(good, Optional.empty());
    DesiredApp bad =
        new DesiredApp(
            "shop",
            "b2",
            List.of(
                service("web", "v2", 3)
                    .withUpdate(
                        UpdatePolicy.DEFAULT
                            .withParallelism(0)
                            .withFailureAction(UpdatePolicy.ROLLBACK))
                    .withRollback(UpdatePolicy.DEFAULT.withDelay(Duration.ofSeconds(7)))));
    h4.failing = s -> s.image().equals(image("web", "v2"));
    time.sleeps.clear();

    RolloutResult result = r.apply(bad, Optional.of(good));

    assertThat(result.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(time.sleeps).filteredOn(d -> d.equals(Duration.ofSeconds(7))).hasSize(2);
    assertThat(List.of(h1, h2, h4))
        .allMatch(h -> h.spec("shop.web").orElseThrow().image().equals(image("web", "v1")));
  }

  @Test
  void aRefusedSpecFailsThatHostWithTheAgentsReason() throws Exception {
    h1.refused = s -> true;
    DesiredApp app = new DesiredApp("shop", "a1", List.of(service("web", "v1", 1)));
    RolloutResult result = rollout(h1).apply(app, Optional.empty());
    assertThat(result.state()).isEqualTo(State.PAUSED);
    assertThat(result.results().get(0).message())
        .contains("422")
        .contains("image: not in this host's store");
  }

  @Test
  void aHostThatNeverGetsHealthyFailsAfterMonitorPlusTheSettleBound() throws Exception {
    h1.neverReady = s -> true;
    DesiredApp app =
        new DesiredApp(
            "shop",
            "a1",
            List.of(
                service("web", "v1", 1)
                    .withUpdate(UpdatePolicy.DEFAULT.withMonitor(Duration.ofSeconds(30)))));
    RolloutResult result = rollout(h1).apply(app, Optional.empty());
    assertThat(result.state()).isEqualTo(State.PAUSED);
    assertThat(result.results().get(0).message())
        .contains("not running and healthy within PT1M30S");
  }

  @Test
  void servicesNoLongerDesiredAreRemovedAfterTheRestIsUpAndOtherAppsAreNeverTouched()
      throws Exception {
    h1.preload("blog.web", spec("blog", "v1", 1));
    Rollout r = rollout(h1, h2, h3);
    r.apply(shop("a1", "v1", "v1"), Optional.empty());
    journal.clear();
    DesiredApp withoutDb =
        new DesiredApp(
            "shop",
            "b2",
            List.of(service("web", "v2", 2).withConstraints(List.of("node.labels.role == web"))));

    RolloutPlan plan = r.plan(withoutDb);
    assertThat(plan.steps("db"))
        .extracting(RolloutPlan.Step::action, RolloutPlan.Step::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Action.REMOVE, "not in release b2"));
    RolloutResult result = r.apply(withoutDb, Optional.empty());

    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    assertThat(journal.indexOf("delete h3 shop.db"))
        .isGreaterThan(journal.indexOf("running h1 shop.web 2"))
        .isGreaterThan(journal.indexOf("running h2 shop.web 2"));
    assertThat(h3.names()).isEmpty();
    assertThat(h1.names()).containsExactly("blog.web", "shop.web");
    assertThat(outcomes(result, "db")).containsEntry("h3", Outcome.REMOVED);
  }

  @Test
  void driftedReplicasOfAnUnchangedSpecAreReplacedThroughTheAgent() throws Exception {
    Rollout r = rollout(h1, h2, h3);
    DesiredApp app = shop("a1", "v1", "v1");
    r.apply(app, Optional.empty());
    h1.drift("shop.web");

    RolloutPlan plan = r.plan(app);
    assertThat(plan.steps("web").get(0))
        .extracting(RolloutPlan.Step::host, RolloutPlan.Step::action, RolloutPlan.Step::reason)
        .containsExactly("h1", Action.REPLACE, "drifted: replica 1 [/etc/x]");
    journal.clear();
    RolloutResult result = r.apply(app, Optional.empty());

    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    assertThat(puts()).containsExactly("put h1 shop.web 2");
    assertThat(h1.spec("shop.web").orElseThrow().env())
        .containsEntry(SpecDigest.REPLACE_ENV, "2")
        .containsEntry("VERSION", "v1");
    // and from now on that is the same spec: nothing more to do
    assertThat(r.plan(app).changes()).isFalse();
  }

  @Test
  void aDependentOfAFailedServiceIsSkipped() throws Exception {
    h3.failing = s -> true;
    DesiredApp app = shop("a1", "v1", "v1");
    app =
        app.withService(
            app.service("db")
                .orElseThrow()
                .withUpdate(UpdatePolicy.DEFAULT.withFailureAction(UpdatePolicy.CONTINUE)));
    RolloutResult result = rollout(h1, h2, h3).apply(app, Optional.empty());
    assertThat(result.state()).isEqualTo(State.FAILED);
    assertThat(outcomes(result, "web")).containsValues(Outcome.SKIPPED, Outcome.SKIPPED);
    assertThat(result.results("web").get(0).message()).contains("dependency db (service_healthy)");
    assertThat(h1.names()).isEmpty();
  }

  @Test
  void aDependentWaitsWhenItsDependencyRunsOnNoReachableHost() throws Exception {
    h3.down = true;
    RolloutResult result = rollout(h1, h2, h3).apply(shop("a1", "v1", "v1"), Optional.empty());
    assertThat(result.state()).isEqualTo(State.FAILED);
    assertThat(outcomes(result, "db")).containsEntry("h3", Outcome.FAILED);
    assertThat(outcomes(result, "web")).containsValues(Outcome.SKIPPED, Outcome.SKIPPED);
    assertThat(result.results("web").get(0).message()).contains("runs on no reachable host");
    assertThat(result.message()).contains("web skipped: dependency db (service_healthy) runs on");
    assertThat(h1.names()).isEmpty();
  }

  @Test
  void replicasTheAgentReportsStartingAreWaitedForUntilHealthy() throws Exception {
    h3.startingPolls = 3;
    RolloutResult result = rollout(h1, h2, h3).apply(shop("a1", "v1", "v1"), Optional.empty());
    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    assertThat(journal.indexOf("healthy h3 shop.db 1"))
        .isNotNegative()
        .isLessThan(journal.indexOf("put h1 shop.web 1"));
  }

  @Test
  void servicesMovedOffAHostByPlacementAreRemovedThere() throws Exception {
    Rollout r = rollout(h1, h2);
    DesiredApp two = new DesiredApp("shop", "a1", List.of(service("web", "v1", 2)));
    r.apply(two, Optional.empty());
    DesiredApp one =
        new DesiredApp(
            "shop",
            "b2",
            List.of(service("web", "v1", 1).withConstraints(List.of("node.hostname == h2"))));
    RolloutResult result = r.apply(one, Optional.empty());
    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    assertThat(h1.names()).isEmpty();
    assertThat(h2.names()).containsExactly("shop.web");
    assertThat(h2.spec("shop.web").orElseThrow().replicas()).isEqualTo(1);
  }

  static Map<String, Outcome> outcomes(RolloutResult result, String service) {
    Map<String, Outcome> out = new java.util.LinkedHashMap<>();
    for (HostServiceResult x : result.results(service)) {
      out.put(x.host(), x.outcome());
    }
    return out;
  }

  @Test
  void aPlanOfSeveralAppsListsEachHostOnceAndEqualsTheirPlansOneByOne() throws Exception {
    Rollout r = rollout(h1, h2, h3);
    r.apply(shop("a1", "v1", "v1"), Optional.empty());
    DesiredApp shop = shop("a2", "v1", "v2");
    DesiredApp blog = new DesiredApp("blog", "b1", List.of(service("web", "v1", 1)));
    RolloutPlan shopAlone = r.plan(shop);
    RolloutPlan blogAlone = r.plan(blog);

    int before = h1.calls + h2.calls + h3.calls;
    Map<String, RolloutPlan> both = r.plan(List.of(shop, blog));

    assertThat(h1.calls + h2.calls + h3.calls - before).isEqualTo(3);
    assertThat(both.keySet()).containsExactly("shop", "blog");
    assertThat(both.get("shop")).isEqualTo(shopAlone);
    assertThat(both.get("blog")).isEqualTo(blogAlone);

    // a host that does not answer is out of every app's plan, asked no more than for one plan
    h2.down = true;
    int downBefore = h2.calls;
    r.plan(shop);
    int onePlan = h2.calls - downBefore;
    Map<String, RolloutPlan> withDown = r.plan(List.of(shop, blog));
    assertThat(h2.calls - downBefore - onePlan).isEqualTo(onePlan);
    assertThat(withDown.get("shop").unreachable()).containsKey("h2");
    assertThat(withDown.get("blog").unreachable()).containsKey("h2");
  }

  static List<String> list(String... s) {
    return new ArrayList<>(List.of(s));
  }
}
