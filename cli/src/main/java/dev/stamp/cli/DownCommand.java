package dev.stamp.cli;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.rollout.AgentNames;
import dev.stamp.runtime.StampException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code stamp down [-f compose.yaml]}: removes every service of the app from the local agent. */
@Command(
    name = "down",
    description = "Stop and remove a Compose app's services on the local agent.")
final class DownCommand extends ComposeCommand {

  @Override
  public Integer call() throws StampException {
    ComposeApp app = load();
    AgentClient client = agent.client(stamp.root());
    PrintWriter out = out();
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
    return exit(StampCli.EXIT_OK);
  }
}
