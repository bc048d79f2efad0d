package dev.stamp.cli;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp stop}: the stop signal, then SIGKILL after the grace period. */
@Command(name = "stop", description = "Stop running containers.")
final class StopCommand extends ContainersCommand {

  @Option(
      names = {"-t", "--time"},
      paramLabel = "SECONDS",
      description = "Grace period before SIGKILL (default: the container's, 10).")
  Integer seconds;

  @Override
  public Integer call() throws Exception {
    return forEach(
        (runtime, ref) -> {
          Duration grace =
              seconds != null
                  ? Duration.ofSeconds(seconds)
                  : runtime
                      .inspect(ref)
                      .config()
                      .map(c -> Duration.ofSeconds(c.stopTimeoutSeconds()))
                      .orElse(Duration.ofSeconds(10));
          runtime.stop(ref, grace);
        });
  }
}
