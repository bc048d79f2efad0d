package dev.stamp.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The store's behaviour, run unchanged on every database it supports: each subclass hands out an
 * empty database per test ({@link #freshDatabase()}).
 */
abstract class ControllerStoreContract {

  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456Z");
  private static final String A = "a".repeat(40);
  private static final String B = "b".repeat(40);
  private static final String C = "c".repeat(40);

  /** Settings of a database no test used before. */
  abstract DatabaseSettings freshDatabase() throws Exception;

  private DatabaseSettings settings;
  private ControllerStore store;

  @BeforeEach
  void openStore() throws Exception {
    settings = freshDatabase();
    store = ControllerStore.open(settings);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---------------------------------------------------------------- migrations

  @Test
  void migratesAnEmptyDatabaseToEveryMigrationAndReopensWithoutChange() throws Exception {
    assertThat(historyVersions()).containsExactly("1", "2");
    store.close();
    store = ControllerStore.open(settings);
    assertThat(historyVersions()).containsExactly("1", "2");
    assertThat(tableExists("QRTZ_TRIGGERS")).isTrue();
    assertThat(tableExists("stamp_releases")).isTrue();
  }

  @Test
  void refusesADatabaseWhoseSchemaIsNewerThanTheCode() throws Exception {
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO \"stamp_schema_history\" (\"installed_rank\", \"version\","
                    + " \"description\", \"type\", \"script\", \"checksum\", \"installed_by\","
                    + " \"execution_time\", \"success\")"
                    + " VALUES (99, '999', 'from the future', 'SQL', 'V999__from_the_future.sql',"
                    + " 0, 'test', 0, TRUE)")) {
      ps.executeUpdate();
    }
    store.close();
    store = null;

    assertThatThrownBy(() -> ControllerStore.open(settings))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.FAILED);
              assertThat(e.retryable()).isFalse();
            })
        .hasMessageContaining("schema is at version 999")
        .hasMessageContaining("newer than this stamp knows (up to 2)");
  }

  @Test
  void dataSurvivesClosingAndReopening() throws Exception {
    long id = store.startRelease(release("web", A, Map.of("api", digest('1'))));
    store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null);
    store.recordBuild(build("k1", "web", "api", digest('1')));
    store.updateApp(AppStatus.of("web", "https://git.example/web.git", "deploy", T0));
    store.appendEvent("web", id, "rollout.started", "{\"n\":1}");
    store.close();

    store = ControllerStore.open(settings);

    assertThat(store.release(id))
        .get()
        .extracting(Release::state)
        .isEqualTo(ReleaseState.DEPLOYING);
    assertThat(store.build("k1")).contains(build("k1", "web", "api", digest('1')));
    assertThat(store.appStatus("web"))
        .contains(AppStatus.of("web", "https://git.example/web.git", "deploy", T0));
    assertThat(store.appendEvent("web", id, "rollout.progress", "{\"n\":2}")).isEqualTo(2);
    assertThat(store.events("web", 0, 10))
        .extracting(StoredEvent::json)
        .containsExactly("{\"n\":1}", "{\"n\":2}");
  }

  // ---------------------------------------------------------------- builds

  @Test
  void theBuildCatalogueFindsAnImageByItsKeyAndKeepsTheNewestForAKey() throws Exception {
    assertThat(store.build("k1")).isEmpty();
    BuiltImage first = build("k1", "web", "api", digest('1'));
    store.recordBuild(first);
    assertThat(store.build("k1")).contains(first);

    BuiltImage rebuilt = build("k1", "web", "api", digest('2'));
    store.recordBuild(rebuilt);
    assertThat(store.build("k1")).contains(rebuilt);
    assertThat(store.build("k2")).isEmpty();
  }

  // ---------------------------------------------------------------- releases

  @Test
  void aReleaseStartsPendingWithItsCommitAndDigests() throws Exception {
    NewRelease r = release("web", A, Map.of("api", digest('1'), "db", digest('2')));
    long id = store.startRelease(r);

    Release got = store.release(id).orElseThrow();
    assertThat(got.id()).isEqualTo(id);
    assertThat(got.app()).isEqualTo("web");
    assertThat(got.commit()).isEqualTo(A);
    assertThat(got.shortCommit()).isEqualTo(A.substring(0, 12));
    assertThat(got.author()).isEqualTo("Ada <ada@example.com>");
    assertThat(got.message()).isEqualTo("Deploy it\n\nbody");
    assertThat(got.subject()).isEqualTo("Deploy it");
    assertThat(got.committedAt()).isEqualTo(T0);
    assertThat(got.digests()).isEqualTo(Map.of("api", digest('1'), "db", digest('2')));
    assertThat(got.trigger()).isEqualTo("poll");
    assertThat(got.state()).isEqualTo(ReleaseState.PENDING);
    assertThat(got.hosts()).isEmpty();
    assertThat(got.verdicts()).isEmpty();
    assertThat(got.error()).isEmpty();
    assertThat(store.release(id + 1000)).isEmpty();
  }

  @Test
  void updatesRecordStateHostResultsPerHostAndServiceAndTheError() throws Exception {
    long id = store.startRelease(release("web", A, Map.of("api", digest('1'))));
    store.updateRelease(
        id,
        ReleaseState.DEPLOYING,
        List.of(
            new HostResult("h1", "api", "updated", ""),
            new HostResult("h2", "api", "pending", null)),
        null);
    store.updateRelease(
        id,
        ReleaseState.DEPLOYING,
        List.of(new HostResult("h2", "api", "failed", "unhealthy")),
        "h2 failed");
    store.updateRelease(id, ReleaseState.FAILED, List.of(), null);

    Release got = store.release(id).orElseThrow();
    assertThat(got.state()).isEqualTo(ReleaseState.FAILED);
    assertThat(got.hosts())
        .containsExactly(
            new HostResult("h1", "api", "updated", ""),
            new HostResult("h2", "api", "failed", "unhealthy"));
    assertThat(got.error()).contains("h2 failed");

    store.updateRelease(id, ReleaseState.ROLLED_BACK, List.of(), "rolled back to the last good");
    assertThat(store.release(id).orElseThrow().error()).contains("rolled back to the last good");
  }

  @Test
  void aForbiddenTransitionIsAConflictNamingBothStates() throws Exception {
    long id = store.startRelease(release("web", A, Map.of()));
    store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null);
    store.updateRelease(id, ReleaseState.SUCCEEDED, List.of(), null);

    assertThatThrownBy(() -> store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT))
        .hasMessageContaining("release " + id)
        .hasMessageContaining("from SUCCEEDED to DEPLOYING");
    assertThat(store.release(id).orElseThrow().state()).isEqualTo(ReleaseState.SUCCEEDED);

    long pending = store.startRelease(release("web", B, Map.of()));
    assertThatThrownBy(() -> store.updateRelease(pending, ReleaseState.SUCCEEDED, List.of(), null))
        .hasMessageContaining("from PENDING to SUCCEEDED");
  }

  @Test
  void anUnknownReleaseIsNotFound() {
    assertThatThrownBy(() -> store.updateRelease(4242, ReleaseState.DEPLOYING, List.of(), null))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
        .hasMessageContaining("4242");
    assertThatThrownBy(() -> store.recordPolicy(4242, List.of()))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  void policyVerdictsAreKeptWithTheRelease() throws Exception {
    long id = store.startRelease(release("web", A, Map.of()));
    List<PolicyVerdict> verdicts =
        List.of(
            new PolicyVerdict("no-root-user", "error", "api/Dockerfile:3", "runs as root", true),
            new PolicyVerdict("pin-base-image", "warning", "", "FROM without digest", false));
    store.recordPolicy(id, verdicts);
    store.updateRelease(id, ReleaseState.DENIED, List.of(), "policy");

    Release got = store.release(id).orElseThrow();
    assertThat(got.verdicts()).isEqualTo(verdicts);
    assertThat(got.state()).isEqualTo(ReleaseState.DENIED);
  }

  @Test
  void failUnfinishedFailsPendingAndDeployingReleasesOfEveryAppAndLeavesTheRest() throws Exception {
    long done = succeeded("web", A, Map.of("api", digest('1')));
    long deploying = store.startRelease(release("web", B, Map.of("api", digest('2'))));
    store.updateRelease(deploying, ReleaseState.DEPLOYING, List.of(), null);
    long pending = store.startRelease(release("shop", C, Map.of()));

    List<Release> failed = store.failUnfinished("interrupted: the controller stopped");

    assertThat(failed)
        .extracting(Release::id, Release::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(deploying, ReleaseState.DEPLOYING),
            org.assertj.core.groups.Tuple.tuple(pending, ReleaseState.PENDING));
    for (long id : List.of(deploying, pending)) {
      Release r = store.release(id).orElseThrow();
      assertThat(r.state()).isEqualTo(ReleaseState.FAILED);
      assertThat(r.error()).contains("interrupted: the controller stopped");
    }
    assertThat(store.release(done).orElseThrow().state()).isEqualTo(ReleaseState.SUCCEEDED);
    assertThat(store.failUnfinished("again")).isEmpty();
  }

  @Test
  void historyIsNewestFirstAndFindsTheLastGoodAndTheReleaseOfACommit() throws Exception {
    long r1 = succeeded("web", A, Map.of("api", digest('1')));
    long r2 = store.startRelease(release("web", B, Map.of("api", digest('2'))));
    store.updateRelease(r2, ReleaseState.DEPLOYING, List.of(), null);
    store.updateRelease(r2, ReleaseState.FAILED, List.of(), "boom");
    long r3 = store.startRelease(release("web", C, Map.of("api", digest('3'))));
    long other = succeeded("shop", C, Map.of());
    long again = succeeded("web", A, Map.of("api", digest('1')));

    assertThat(store.history("web", 10)).extracting(Release::id).containsExactly(again, r3, r2, r1);
    assertThat(store.history("web", 2)).extracting(Release::id).containsExactly(again, r3);
    assertThat(store.history("nobody", 5)).isEmpty();
    assertThat(store.lastGood("web")).get().extracting(Release::id).isEqualTo(again);
    assertThat(store.lastGood("shop")).get().extracting(Release::id).isEqualTo(other);
    assertThat(store.lastGood("nobody")).isEmpty();
    assertThat(store.releaseOfCommit("web", A)).get().extracting(Release::id).isEqualTo(again);
    assertThat(store.releaseOfCommit("web", B)).get().extracting(Release::id).isEqualTo(r2);
    assertThat(store.releaseOfCommit("shop", A)).isEmpty();
    assertThatThrownBy(() -> store.history("web", 0))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
  }

  // ---------------------------------------------------------------- apps

  @Test
  void appStatusIsOneRowPerAppCreatedOnFirstWrite() throws Exception {
    assertThat(store.appStatus("web")).isEmpty();
    AppStatus web = AppStatus.of("web", "https://git.example/web.git", "", T0);
    store.updateApp(web);
    store.updateApp(AppStatus.of("api", "ssh://git@git.example/api.git", "deploy/prod", T0));
    AppStatus synced =
        web.withFetched(A, A, T0)
            .withCurrentRelease(7, T0)
            .withFailedCommit(Optional.of(B), T0)
            .withState(AppState.SYNCED, "all 3 hosts run " + A.substring(0, 12), T0.plusSeconds(1));
    store.updateApp(synced);

    assertThat(store.appStatus("web")).contains(synced);
    assertThat(store.apps()).extracting(AppStatus::app).containsExactly("api", "web");
    assertThat(store.apps().get(0).currentReleaseId()).isEmpty();
    assertThat(store.apps().get(0).state()).isEqualTo(AppState.OUT_OF_SYNC);
  }

  // ---------------------------------------------------------------- retention

  @Test
  void pruneKeepsTheNewestReleasesAndReturnsBuildsNoKeptReleaseUses() throws Exception {
    // web: r1 (image 1, shared with shop), r2 (image 2), r3 (image 3), r4 (image 2 again), r5
    long r1 = succeeded("web", A, Map.of("api", digest('1')));
    long r2 = succeeded("web", B, Map.of("api", digest('2')));
    long r3 = succeeded("web", C, Map.of("api", digest('3'), "db", digest('9')));
    long r4 = succeeded("web", B, Map.of("api", digest('2')));
    long r5 = succeeded("web", A, Map.of("api", digest('5')));
    long shop = succeeded("shop", A, Map.of("api", digest('1')));
    for (char d : new char[] {'1', '2', '3', '5', '9'}) {
      store.recordBuild(build("key-" + d, "web", "api", digest(d)));
    }
    store.appendEvent("web", r1, "rollout.started", "{}");
    store.appendEvent("web", null, "app.fetched", "{}");
    store.appendEvent("web", r4, "rollout.started", "{}");
    store.appendEvent("web", r5, "rollout.started", "{}");

    List<BuiltImage> unused = store.prune("web", 2);

    assertThat(store.history("web", 10)).extracting(Release::id).containsExactly(r5, r4);
    assertThat(unused)
        .extracting(BuiltImage::buildKey)
        .containsExactlyInAnyOrder("key-3", "key-9"); // 1 is shop's, 2 is r4's
    assertThat(store.build("key-3")).isEmpty();
    assertThat(store.build("key-1")).isPresent();
    assertThat(store.build("key-2")).isPresent();
    assertThat(store.history("shop", 10)).extracting(Release::id).containsExactly(shop);
    assertThat(store.events("web", 0, 10))
        .extracting(StoredEvent::releaseId)
        .containsExactly(Optional.of(r4), Optional.of(r5));
    assertThat(store.prune("web", 2)).isEmpty();
    assertThat(r2).isLessThan(r3);
  }

  @Test
  void pruneAlwaysKeepsTheCurrentReleaseTheLastGoodOneAndRunningOnes() throws Exception {
    long good = succeeded("web", A, Map.of("api", digest('1')));
    long current = failed("web", B, Map.of("api", digest('2')));
    long running = store.startRelease(release("web", C, Map.of("api", digest('3'))));
    store.updateRelease(running, ReleaseState.DEPLOYING, List.of(), null);
    long dropped = failed("web", C, Map.of("api", digest('4')));
    long newest = failed("web", C, Map.of("api", digest('5')));
    store.updateApp(AppStatus.of("web", "repo", "", T0).withCurrentRelease(current, T0));

    store.prune("web", 1);

    assertThat(store.history("web", 10))
        .extracting(Release::id)
        .containsExactly(newest, running, current, good);
    assertThat(store.release(dropped)).isEmpty();
  }

  @Test
  void releasedDigestsAreEveryKeptReleasesAndUnreleasedBuildsAreForgotten() throws Exception {
    succeeded("web", A, Map.of("api", digest('1')));
    long pending = store.startRelease(release("shop", B, Map.of("db", digest('2'))));
    for (char d : new char[] {'1', '2', '3'}) {
      store.recordBuild(build("key-" + d, "web", "api", digest(d)));
    }

    assertThat(store.releasedDigests()).containsExactlyInAnyOrder(digest('1'), digest('2'));
    assertThat(store.forgetUnreleasedBuilds())
        .extracting(BuiltImage::buildKey)
        .containsExactly("key-3");
    assertThat(store.build("key-3")).isEmpty();
    assertThat(store.build("key-2")).as("a pending release names it").isPresent();
    assertThat(store.forgetUnreleasedBuilds()).isEmpty();
    assertThat(pending).isPositive();
  }

  // ---------------------------------------------------------------- events

  @Test
  void eventsAreNumberedPerAppAndReadInPages() throws Exception {
    long release = store.startRelease(release("web", A, Map.of()));
    for (int i = 1; i <= 25; i++) {
      assertThat(store.appendEvent("web", i % 2 == 0 ? release : null, "step", "{\"i\":" + i + "}"))
          .isEqualTo(i);
    }
    assertThat(store.appendEvent("shop", null, "step", "[]")).isEqualTo(1);

    List<StoredEvent> first = store.events("web", 0, 10);
    assertThat(first).extracting(StoredEvent::id).containsExactlyElementsOf(range(1, 10));
    List<StoredEvent> second = store.events("web", first.get(first.size() - 1).id(), 10);
    assertThat(second).extracting(StoredEvent::id).containsExactlyElementsOf(range(11, 20));
    assertThat(store.events("web", 20, 10))
        .extracting(StoredEvent::id)
        .containsExactlyElementsOf(range(21, 25));
    assertThat(store.events("web", 25, 10)).isEmpty();
    StoredEvent e2 = first.get(1);
    assertThat(e2.app()).isEqualTo("web");
    assertThat(e2.releaseId()).contains(release);
    assertThat(e2.type()).isEqualTo("step");
    assertThat(e2.json()).isEqualTo("{\"i\":2}");
    assertThat(first.get(0).releaseId()).isEmpty();
    assertThat(store.events("shop", 0, 10)).extracting(StoredEvent::json).containsExactly("[]");
  }

  @Test
  void anEventThatIsNotJsonIsBadInput() {
    assertThatThrownBy(() -> store.appendEvent("web", null, "step", "{not json"))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
        .hasMessageContaining("step event of web");
    assertThatThrownBy(() -> store.appendEvent("web", null, " ", "{}"))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
        .hasMessageContaining("type");
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void concurrentTerminalTransitionsOfOneReleaseLetExactlyOneWin() throws Exception {
    long id = store.startRelease(release("web", A, Map.of()));
    store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null);
    int writers = 8;

    List<Object> outcomes =
        concurrently(
            writers,
            i -> {
              try {
                store.updateRelease(
                    id,
                    ReleaseState.SUCCEEDED,
                    List.of(new HostResult("h" + i, "api", "updated", "")),
                    null);
                return "won";
              } catch (ControllerException e) {
                return e.kind();
              }
            });

    assertThat(outcomes).filteredOn("won"::equals).hasSize(1);
    assertThat(outcomes).filteredOn(Kind.CONFLICT::equals).hasSize(writers - 1);
    assertThat(store.release(id).orElseThrow().hosts()).hasSize(1);
  }

  @Test
  void concurrentProgressReportsOfOneReleaseAreAllKept() throws Exception {
    long id = store.startRelease(release("web", A, Map.of()));
    store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null);
    int writers = 8;

    concurrently(
        writers,
        i -> {
          for (int round = 0; round < 5; round++) {
            store.updateRelease(
                id,
                ReleaseState.DEPLOYING,
                List.of(new HostResult("host-" + i, "api", "round-" + round, "")),
                null);
          }
          return null;
        });

    assertThat(store.release(id).orElseThrow().hosts())
        .extracting(HostResult::host, HostResult::result)
        .containsExactlyInAnyOrderElementsOf(
            IntStream.range(0, writers)
                .mapToObj(i -> org.assertj.core.groups.Tuple.tuple("host-" + i, "round-4"))
                .toList());
  }

  @Test
  void concurrentWritersOfReleasesEventsAndAppsLoseNothing() throws Exception {
    int writers = 8;
    int each = 10;

    List<Object> ids =
        concurrently(
            writers,
            i -> {
              List<Long> mine = new ArrayList<>();
              for (int n = 0; n < each; n++) {
                mine.add(store.startRelease(release("web", A, Map.of("api", digest('1')))));
                store.appendEvent("web", null, "step", "{\"writer\":" + i + "}");
                store.updateApp(
                    AppStatus.of("app-" + (n % 3), "repo", "", T0)
                        .withState(AppState.SYNCING, "writer " + i, T0));
              }
              return mine;
            });

    Set<Long> releaseIds = new HashSet<>();
    ids.forEach(l -> ((List<?>) l).forEach(id -> releaseIds.add((Long) id)));
    assertThat(releaseIds).hasSize(writers * each);
    assertThat(store.history("web", 1000)).hasSize(writers * each);
    assertThat(store.events("web", 0, 1000))
        .extracting(StoredEvent::id)
        .containsExactlyElementsOf(range(1, writers * each));
    assertThat(store.apps()).extracting(AppStatus::app).containsExactly("app-0", "app-1", "app-2");
  }

  // ---------------------------------------------------------------- Quartz

  /** Counts down the latch named by its job data. */
  public static final class CountDownJob implements Job {
    static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();

    @Override
    public void execute(JobExecutionContext context) {
      LATCHES.get(context.getMergedJobDataMap().getString("latch")).countDown();
    }
  }

  @Test
  void quartzRunsAJobFromTheJobStoreTablesOfTheMigrations() throws Exception {
    String name = "stamp-test-" + UUID.randomUUID();
    CountDownLatch fired = new CountDownLatch(1);
    CountDownJob.LATCHES.put(name, fired);
    Properties p = QuartzJobStore.register(store, name);
    p.setProperty("org.quartz.scheduler.instanceName", name);
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
    try {
      scheduler.scheduleJob(
          JobBuilder.newJob(CountDownJob.class)
              .withIdentity("count-down", "test")
              .usingJobData("latch", name)
              .storeDurably()
              .build(),
          TriggerBuilder.newTrigger().withIdentity("now", "test").startNow().build());
      assertThat(count("SELECT COUNT(*) FROM QRTZ_JOB_DETAILS WHERE SCHED_NAME = ?", name))
          .isEqualTo(1);
      scheduler.start();

      assertThat(fired.await(60, TimeUnit.SECONDS)).as("the job fired").isTrue();
      assertThat(count("SELECT COUNT(*) FROM QRTZ_SCHEDULER_STATE WHERE SCHED_NAME = ?", name))
          .isEqualTo(1);
    } finally {
      scheduler.shutdown(true);
      CountDownJob.LATCHES.remove(name);
    }
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  interface Writer {
    Object write(int index) throws Exception;
  }

  /** Runs {@code writers} copies of {@code body} released at once; their results in order. */
  private static List<Object> concurrently(int writers, Writer body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CyclicBarrier start = new CyclicBarrier(writers);
      List<Future<Object>> futures = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return body.write(index);
                }));
      }
      List<Object> out = new ArrayList<>();
      for (Future<Object> f : futures) {
        out.add(f.get(120, TimeUnit.SECONDS));
      }
      return Collections.unmodifiableList(out);
    } finally {
      pool.shutdownNow();
    }
  }

  private long succeeded(String app, String commit, Map<String, String> digests) throws Exception {
    long id = store.startRelease(release(app, commit, digests));
    store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null);
    store.updateRelease(id, ReleaseState.SUCCEEDED, List.of(), null);
    return id;
  }

  private long failed(String app, String commit, Map<String, String> digests) throws Exception {
    long id = store.startRelease(release(app, commit, digests));
    store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null);
    store.updateRelease(id, ReleaseState.FAILED, List.of(), "failed");
    return id;
  }

  private static NewRelease release(String app, String commit, Map<String, String> digests) {
    return new NewRelease(
        app, commit, null, "Ada <ada@example.com>", "Deploy it\n\nbody", T0, digests, "poll");
  }

  private static BuiltImage build(String key, String app, String service, String digest) {
    return new BuiltImage(
        key,
        app,
        service,
        app + "/" + service + ":" + A.substring(0, 12),
        digest,
        A,
        T0,
        Duration.ofMillis(1234));
  }

  private static String digest(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private List<String> historyVersions() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT \"version\" FROM \"stamp_schema_history\" WHERE \"success\" AND \"version\" IS NOT NULL"
                    + " ORDER BY \"installed_rank\"");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private boolean tableExists(String name) throws SQLException {
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.tables WHERE LOWER(table_name) = ?")) {
      ps.setString(1, name.toLowerCase(java.util.Locale.ROOT));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }

  private long count(String sql, String param) throws SQLException {
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
