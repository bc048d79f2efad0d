package dev.stamp.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second controller process on the same state root: H2's file lock keeps it out, and the error
 * says so (retryable: it may work once the other process stops).
 */
class H2InUseIT {

  @TempDir Path root;

  @Test
  void anH2DatabaseOpenInAnotherProcessIsARetryableFailureThatSaysSo() throws Exception {
    try (ControllerStore store = ControllerStore.h2(root)) {
      assertThat(store.apps()).isEmpty(); // creates and migrates the database, then closes it
    }
    DatabaseSettings settings = DatabaseSettings.h2(root);
    Path h2Jar =
        Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String java = ProcessHandle.current().info().command().orElse("java");
    Process other =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    h2Jar.toString(),
                    "org.h2.tools.Shell",
                    "-url",
                    settings.jdbcUrl()))
            .redirectErrorStream(true)
            .start();
    try (OutputStream stdin = other.getOutputStream()) {
      awaitPrompt(other);

      assertThatThrownBy(() -> ControllerStore.open(settings))
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.FAILED);
                assertThat(e.retryable()).isTrue();
              })
          .hasMessageContaining("open in another process");

      stdin.write("quit\n".getBytes(StandardCharsets.UTF_8));
    } finally {
      if (!other.waitFor(30, TimeUnit.SECONDS)) {
        other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (ControllerStore store = ControllerStore.open(settings)) {
      assertThat(store.apps()).isEmpty();
    }
  }

  /** Reads the shell's output until its {@code sql>} prompt: it has the database open. */
  private static void awaitPrompt(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    int c;
    while ((c = out.read()) != -1) {
      seen.append((char) c);
      if (seen.toString().contains("sql>")) {
        return;
      }
    }
    throw new AssertionError("the H2 shell exited before its prompt:\n" + seen);
  }
}
