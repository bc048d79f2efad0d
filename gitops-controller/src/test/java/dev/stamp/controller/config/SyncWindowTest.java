package dev.stamp.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncWindowTest {

  /** Friday 18:00 UTC for 60 hours: the weekend, until Monday 06:00. */
  static final SyncWindow WEEKEND =
      new SyncWindow(
          SyncWindow.Kind.DENY,
          "0 0 18 ? * FRI",
          Duration.ofHours(60),
          ZoneOffset.UTC,
          List.of("*"),
          true);

  // 2026-12-04 is a Friday.
  static final Instant FRI_1759 = Instant.parse("2026-12-04T17:59:59Z");
  static final Instant FRI_1800 = Instant.parse("2026-12-04T18:00:00Z");
  static final Instant SUN_NOON = Instant.parse("2026-12-06T12:00:00Z");
  static final Instant MON_0559 = Instant.parse("2026-12-07T05:59:59Z");
  static final Instant MON_0600 = Instant.parse("2026-12-07T06:00:00Z");
  static final Instant WED_NOON = Instant.parse("2026-12-09T12:00:00Z");

  @Test
  void aWindowIsActiveFromEachFireTimeForItsDuration() {
    assertThat(WEEKEND.isActive(FRI_1759)).isFalse();
    assertThat(WEEKEND.isActive(FRI_1800)).isTrue();
    assertThat(WEEKEND.isActive(SUN_NOON)).isTrue();
    assertThat(WEEKEND.isActive(MON_0559)).isTrue();
    assertThat(WEEKEND.isActive(MON_0600)).isFalse();
    assertThat(WEEKEND.isActive(WED_NOON)).isFalse();
    assertThat(WEEKEND.isActive(FRI_1800.plus(Duration.ofDays(7)))).isTrue();
    assertThat(WEEKEND.nextOpening(WED_NOON)).isEqualTo(Instant.parse("2026-12-11T18:00:00Z"));
  }

  @Test
  void theScheduleIsReadInItsTimeZone() {
    SyncWindow paris =
        new SyncWindow(
            SyncWindow.Kind.DENY,
            "0 0 18 ? * FRI",
            Duration.ofHours(1),
            ZoneId.of("Europe/Paris"),
            List.of("*"),
            false);
    // 18:00 in Paris in December is 17:00 UTC.
    assertThat(paris.isActive(Instant.parse("2026-12-04T17:30:00Z"))).isTrue();
    assertThat(paris.isActive(Instant.parse("2026-12-04T18:30:00Z"))).isFalse();
  }

  @Test
  void windowsLongerThanTheirPeriodOverlap() {
    SyncWindow hourly =
        new SyncWindow(
            SyncWindow.Kind.DENY,
            "0 0 * * * ?",
            Duration.ofMinutes(90),
            ZoneOffset.UTC,
            List.of("*"),
            false);
    assertThat(hourly.isActive(Instant.parse("2026-12-04T10:59:59Z"))).isTrue();
  }

  @Test
  void deniesOnlyTheAppsItNames() {
    SyncWindow web =
        new SyncWindow(
            SyncWindow.Kind.DENY,
            "0 0 18 ? * FRI",
            Duration.ofHours(60),
            ZoneOffset.UTC,
            List.of("web", "api-*"),
            false);
    assertThat(web.denies(SUN_NOON, "web")).isTrue();
    assertThat(web.denies(SUN_NOON, "api-v2")).isTrue();
    assertThat(web.denies(SUN_NOON, "billing")).isFalse();
    assertThat(web.denies(WED_NOON, "web")).isFalse();
    assertThat(SyncWindow.glob("a?c", "abc")).isTrue();
    assertThat(SyncWindow.glob("a.c", "abc")).isFalse();
  }

  @Test
  void anAllowWindowDeniesWhileClosed() {
    SyncWindow office =
        new SyncWindow(
            SyncWindow.Kind.ALLOW,
            "0 0 9 ? * MON-FRI",
            Duration.ofHours(8),
            ZoneOffset.UTC,
            List.of("*"),
            false);
    assertThat(office.denies(WED_NOON, "web")).isFalse();
    assertThat(office.denies(SUN_NOON, "web")).isTrue();
    assertThat(office.denies(Instant.parse("2026-12-09T17:00:00Z"), "web")).isTrue();
  }

  @Test
  void theRepositoryCombinesItsWindows() {
    SyncWindow office =
        new SyncWindow(
            SyncWindow.Kind.ALLOW,
            "0 0 9 ? * MON-FRI",
            Duration.ofHours(10),
            ZoneOffset.UTC,
            List.of("web"),
            false);
    SyncWindow freeze =
        new SyncWindow(
            SyncWindow.Kind.DENY,
            "0 0 12 9 12 ? 2026",
            Duration.ofHours(1),
            ZoneOffset.UTC,
            List.of("*"),
            false);
    RepositoryConfig repo = repo(List.of(WEEKEND, office, freeze));

    // deny window open: nothing automatic; manualSync: true lets a person through
    assertThat(repo.syncAllowed(SUN_NOON, "billing", false)).isFalse();
    assertThat(repo.syncAllowed(SUN_NOON, "billing", true)).isTrue();
    // the freeze says manualSync: false
    assertThat(repo.syncAllowed(WED_NOON.plusSeconds(60), "billing", true)).isFalse();
    // web has an allow window: only while it is open
    assertThat(repo.syncAllowed(Instant.parse("2026-12-08T10:00:00Z"), "web", false)).isTrue();
    assertThat(repo.syncAllowed(Instant.parse("2026-12-08T20:00:00Z"), "web", false)).isFalse();
    assertThat(repo.syncAllowed(Instant.parse("2026-12-08T20:00:00Z"), "web", true)).isFalse();
    // billing has no allow window
    assertThat(repo.syncAllowed(Instant.parse("2026-12-08T20:00:00Z"), "billing", false)).isTrue();
    assertThat(repo(List.of()).syncAllowed(SUN_NOON, "web", false)).isTrue();

    // until when: the open deny window's end; the next allow opening; nothing when allowed
    assertThat(repo.syncHeldUntil(SUN_NOON, "billing", false)).contains(MON_0600);
    assertThat(repo.syncHeldUntil(SUN_NOON, "billing", true)).isEmpty();
    assertThat(repo.syncHeldUntil(WED_NOON.plusSeconds(60), "billing", true))
        .contains(Instant.parse("2026-12-09T13:00:00Z"));
    assertThat(repo.syncHeldUntil(Instant.parse("2026-12-08T20:00:00Z"), "web", false))
        .contains(Instant.parse("2026-12-09T09:00:00Z"));
    // the weekend's deny window ends before Monday's office hours open: the later one
    assertThat(repo.syncHeldUntil(SUN_NOON, "web", false))
        .contains(Instant.parse("2026-12-07T09:00:00Z"));
    assertThat(repo.syncHeldUntil(Instant.parse("2026-12-08T10:00:00Z"), "web", false)).isEmpty();
    assertThat(WEEKEND.closesAt(SUN_NOON)).isEqualTo(MON_0600);
    assertThat(WEEKEND.closesAt(WED_NOON)).isNull();
  }

  @Test
  void refusesABadScheduleOrDuration() {
    assertThatThrownBy(
            () ->
                new SyncWindow(
                    SyncWindow.Kind.DENY,
                    "* * *",
                    Duration.ofHours(1),
                    ZoneOffset.UTC,
                    List.of("*"),
                    false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sync window schedule: expected a Quartz cron expression");
    assertThatThrownBy(
            () ->
                new SyncWindow(
                    SyncWindow.Kind.DENY,
                    "0 0 18 ? * FRI",
                    Duration.ZERO,
                    ZoneOffset.UTC,
                    List.of("*"),
                    false))
        .hasMessageContaining("expected a positive duration");
    assertThat(SyncWindow.scheduleProblem("0 0 18 ? * FRI")).isNull();
    assertThat(SyncWindow.scheduleProblem("0 0 25 ? * FRI")).contains("got \"0 0 25 ? * FRI\"");
  }

  static RepositoryConfig repo(List<SyncWindow> windows) {
    return new RepositoryConfig(
        "shop",
        URI.create("file:///srv/shop.git"),
        "main",
        "",
        RepositoryConfig.DEFAULT_POLL,
        0.1,
        RepositoryCredentials.NONE,
        null,
        windows,
        true,
        true);
  }

  @Test
  void pollDelayAddsUpToTheJitter() {
    RepositoryConfig r = repo(List.of());
    assertThat(r.nextPollDelay(new java.util.Random(1)))
        .isBetween(Duration.ofSeconds(60), Duration.ofSeconds(66));
    assertThat(r.nextPollDelay(() -> 0L)).isEqualTo(Duration.ofSeconds(60));
  }
}
