package dev.stamp.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseSettingsTest {

  @TempDir Path dir;

  @Test
  void theDefaultIsAnH2FileUnderTheStateRoot() {
    DatabaseSettings s = DatabaseSettings.h2(Path.of("/var/lib/stamp"));
    assertThat(s.vendor()).isEqualTo(DatabaseSettings.Vendor.H2);
    assertThat(s.jdbcUrl()).startsWith("jdbc:h2:file:/var/lib/stamp/controller/db/stamp;");
    assertThat(s.user()).isEmpty();
    assertThat(s.passwordFile()).isEmpty();
    assertThat(s.vendor().quartzDelegateClass())
        .isEqualTo("org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
  }

  @Test
  void postgresqlUsesQuartzsPostgresDelegate() {
    DatabaseSettings s =
        new DatabaseSettings(
            "jdbc:postgresql://db:5432/stamp", Optional.of("stamp"), Optional.empty());
    assertThat(s.vendor()).isEqualTo(DatabaseSettings.Vendor.POSTGRESQL);
    assertThat(s.vendor().quartzDelegateClass())
        .isEqualTo("org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
  }

  @Test
  void aPasswordInTheUrlIsNeverShown() {
    assertThat(
            new DatabaseSettings(
                    "jdbc:postgresql://db/stamp?user=u&password=s3cret&ssl=true",
                    Optional.empty(),
                    Optional.empty())
                .redactedUrl())
        .isEqualTo("jdbc:postgresql://db/stamp?user=u&password=***&ssl=true");
    assertThat(
            new DatabaseSettings(
                    "jdbc:h2:file:/x;USER=sa;PASSWORD=s3cret", Optional.empty(), Optional.empty())
                .redactedUrl())
        .isEqualTo("jdbc:h2:file:/x;USER=sa;PASSWORD=***");
    assertThatThrownBy(
            () ->
                new DatabaseSettings(
                    "jdbc:mysql://db/x?password=s3cret", Optional.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql://")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void anUnreachableDatabaseIsARetryableFailure() {
    int port = TestNetworks.freePort(); // nothing listens there
    DatabaseSettings s =
        new DatabaseSettings(
            "jdbc:postgresql://127.0.0.1:" + port + "/stamp",
            Optional.of("stamp"),
            Optional.empty());

    assertThatThrownBy(() -> ControllerStore.open(s))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.FAILED);
              assertThat(e.retryable()).isTrue();
            })
        .hasMessageContaining("open the controller database")
        .hasMessageContaining("127.0.0.1:" + port);
  }

  @Test
  void aMissingPasswordFileIsBadInput() {
    Path missing = dir.resolve("no-such-password");
    DatabaseSettings s =
        new DatabaseSettings(
            "jdbc:postgresql://127.0.0.1:1/stamp", Optional.of("stamp"), Optional.of(missing));

    assertThatThrownBy(() -> ControllerStore.open(s))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
        .hasMessageContaining(missing.toString());
  }

  @Test
  void h2OpensTheDefaultDatabaseUnderTheStateRoot() throws Exception {
    try (ControllerStore store = ControllerStore.h2(dir)) {
      assertThat(store.apps()).isEmpty();
    }
    assertThat(dir.resolve("controller/db/stamp.mv.db")).isRegularFile();
  }

  @Test
  void releaseStatesMoveOnlyForward() {
    assertThat(ReleaseState.PENDING.canMoveTo(ReleaseState.DEPLOYING)).isTrue();
    assertThat(ReleaseState.DEPLOYING.canMoveTo(ReleaseState.DEPLOYING)).isTrue();
    assertThat(ReleaseState.FAILED.canMoveTo(ReleaseState.ROLLED_BACK)).isTrue();
    assertThat(ReleaseState.SUCCEEDED.next()).isEmpty();
    assertThat(ReleaseState.SUCCEEDED.canMoveTo(ReleaseState.DEPLOYING)).isFalse();
    assertThat(ReleaseState.PENDING.canMoveTo(ReleaseState.SUCCEEDED)).isFalse();
    assertThat(ReleaseState.DENIED.finished()).isTrue();
    assertThat(ReleaseState.DEPLOYING.finished()).isFalse();
  }

  @Test
  void aNewReleaseNamesItsBadField() {
    assertThatThrownBy(
            () ->
                new NewRelease(
                    "web",
                    "a".repeat(40),
                    null,
                    "",
                    "",
                    java.time.Instant.EPOCH,
                    java.util.Map.of(),
                    "cron"))
        .hasMessageContaining("trigger")
        .hasMessageContaining("cron");
    assertThatThrownBy(
            () ->
                new NewRelease(
                    "web",
                    "a".repeat(40),
                    null,
                    "",
                    "",
                    java.time.Instant.EPOCH,
                    java.util.Map.of("api", "latest"),
                    "poll"))
        .hasMessageContaining("digests.api");
  }
}
