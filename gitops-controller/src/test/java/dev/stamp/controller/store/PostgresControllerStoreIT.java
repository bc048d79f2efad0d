package dev.stamp.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's contract on PostgreSQL: one throwaway cluster for the class, a new database per test,
 * password authentication with the password in a file. Skips when PostgreSQL is missing.
 */
class PostgresControllerStoreIT extends ControllerStoreContract {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aWrongPasswordIsAFailureThatNeitherRetriesNorShowsThePassword(@TempDir Path dir)
      throws Exception {
    Path wrong = dir.resolve("password");
    Files.writeString(wrong, "not-the-password-42\n");
    DatabaseSettings s =
        new DatabaseSettings(
            server.jdbcUrl(server.createDatabase()),
            Optional.of(server.user()),
            Optional.of(wrong));

    assertThatThrownBy(() -> ControllerStore.open(s))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.FAILED);
              assertThat(e.retryable()).isFalse();
            })
        .hasMessageContaining("refused the user or password")
        .hasMessageNotContaining("not-the-password-42")
        .hasMessageNotContaining(server.password());
  }

  @Override
  DatabaseSettings freshDatabase() {
    return new DatabaseSettings(
        server.jdbcUrl(server.createDatabase()),
        Optional.of(server.user()),
        Optional.of(server.passwordFile()));
  }
}
