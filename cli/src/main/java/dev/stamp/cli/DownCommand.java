package dev.stamp.cli;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeLoader;
import dev.stamp.controller.rollout.AgentNames;
import dev.stamp.runtime.StampException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code stamp down [-f compose.yaml]}: removes every service of the app from the local agent. */
@Command(
    name = "down",
    description = "Stop and remove a Compose app's services on the local agent.")
final class DownCommand implements Callable<Integer> {

  @ParentCommand StampCli stamp;
  @Spec CommandSpec spec;
  @Mixin AgentOptions agent;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "The Compose file (default: ./compose.yaml).")
  Path file = Path.of(ComposeLoader.FILE_NAME);

  @Override
  public Integer call() throws StampException {
    ComposeApp app = UpCommand.load(file, spec.commandLine().getErr());
    AgentClient client = agent.client(stamp.root());
    PrintWriter out = spec.commandLine().getOut();
    int removed = 0;
    try {
      for (ServiceStatus s : client.services()) {
        if (AgentNames.isOf(app.name(), s.name())) {
          client.deleteService(s.name());
          out.println("removed " + s.name());
          removed++;
        }
      }
    } catch (dev.stamp.agent.api.AgentException e) {
      throw new dev.stamp.controller.ControllerException(
          StampException.Kind.FAILED,
          "remove app " + app.name() + " from agent " + client.base() + ": " + e.getMessage(),
          e,
          e.retryable());
    }
    out.println(
        app.name() + ": " + removed + (removed == 1 ? " service" : " services") + " removed");
    out.flush();
    return StampCli.EXIT_OK;
  }
}
