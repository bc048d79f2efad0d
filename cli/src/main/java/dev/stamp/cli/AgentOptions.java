package dev.stamp.cli;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampRoot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --agent URL --agent-token-file FILE}: the agent {@code stamp up|down} talk to; by default
 * the one {@code stamp agent} runs on this state root (it writes {@code ROOT/agent/api.json}).
 */
final class AgentOptions {

  @Option(
      names = "--agent",
      paramLabel = "URL",
      description = "The agent's API (default: the agent of this state root).")
  String url;

  @Option(
      names = "--agent-token-file",
      paramLabel = "FILE",
      description = "File with the agent's token.")
  Path tokenFile;

  static Path file(StampRoot root) {
    return root.path().resolve("agent/api.json");
  }

  /** What {@code stamp agent} records when it serves. */
  static void write(StampRoot root, URI api, Path tokenFile) throws IOException {
    new ApiFile(api, tokenFile).write(file(root));
  }

  AgentClient client(StampRoot root) throws ControllerException {
    ApiFile api =
        ApiFile.resolve(
            url,
            tokenFile,
            file(root),
            () ->
                ControllerException.notFound(
                    "no agent on state root "
                        + root.path()
                        + ": start one (stamp agent --token-file FILE) or pass --agent URL"));
    Path t = api.tokenFile();
    if (t == null) {
      throw ControllerException.badInput("--agent-token-file: the agent's API needs its token");
    }
    String token;
    try {
      token = Files.readString(t).strip();
    } catch (IOException e) {
      throw ControllerException.badInput("--agent-token-file " + t + ": " + e.getMessage());
    }
    AgentClient client = new AgentClient(api.url(), token);
    if (!client.healthy()) {
      throw ControllerException.unavailable(
          "agent " + api.url() + ": not answering (is stamp agent running?)", null);
    }
    return client;
  }
}
