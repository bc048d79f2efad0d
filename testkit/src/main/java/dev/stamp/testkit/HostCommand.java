package dev.stamp.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host command for a test (ip, nft, nsenter, curl, a CLI as its own process) and keeps what
 * it printed. Stamp itself never runs these tools; tests use them to observe the host from outside.
 */
public final class HostCommand {

  /** How a command ended: its exit code and what it printed on each stream. */
  public record Result(int code, String out, String err) {

    /** The output, failing the test with everything printed when the command did not exit 0. */
    public String ok() {
      if (code != 0) {
        throw new AssertionError("exit " + code + "\nstdout: " + out + "\nstderr: " + err);
      }
      return out;
    }
  }

  private HostCommand() {}

  public static Result run(String... argv) {
    return run(Duration.ofSeconds(60), null, List.of(argv));
  }

  /**
   * Runs {@code argv} with stdin from {@code input} (none when null); a command still running after
   * {@code timeout} is killed and fails the test.
   */
  public static Result run(Duration timeout, String input, List<String> argv) {
    try {
      Path out = Files.createTempFile("stamp-test-out", ".txt");
      Path err = Files.createTempFile("stamp-test-err", ".txt");
      try {
        ProcessBuilder pb =
            new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (input == null) {
          pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process p = pb.start();
        if (input != null) {
          try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(argv + ": still running after " + timeout + ", killed");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("run " + argv, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + argv, e);
    }
  }
}
