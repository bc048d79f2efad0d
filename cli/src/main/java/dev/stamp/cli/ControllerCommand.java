package dev.stamp.cli;

import dev.stamp.controller.config.ControllerConfig;
import dev.stamp.controller.server.Controllers;
import dev.stamp.runtime.StampException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stamp controller --config FILE}: runs the GitOps controller until SIGINT/SIGTERM. It
 * writes where its API listens to {@code ROOT/controller/api.json}, where {@code stamp
 * sync|status|history|rollback|plan APP} find it.
 */
@Command(
    name = "controller",
    description = {
      "Run the GitOps controller: watch Git, build what changed, roll it out through the agents.",
      "Its API address is written to ROOT/controller/api.json for stamp sync|status|history|rollback."
    })
final class ControllerCommand extends StampCommand {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description =
          "The controller's configuration (controller.yaml; see samples/controller.yaml).")
  Path config;

  @Override
  public Integer call() throws StampException, InterruptedException {
    ControllerConfig loaded = ControllerConfig.load(config);
    PrintWriter err = err();
    loaded.warnings().forEach(w -> err.println("stamp controller: warning: " + w));
    err.flush();
    Controllers.Started started = Controllers.start(loaded, stamp.root(), Clock.systemUTC());
    ControllerEndpoint.write(
        stamp.root(),
        started.api(),
        loaded.api().tokenFile() == null ? null : loaded.api().tokenFile().path());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  started.close();
                  stopped.countDown();
                },
                "controller-shutdown"));
    PrintWriter out = out();
    out.println(
        "stamp controller: API "
            + started.api()
            + ", images "
            + started.images()
            + " (state root "
            + stamp.root().path()
            + ")");
    out.flush();
    stopped.await();
    return StampCli.EXIT_OK;
  }
}
