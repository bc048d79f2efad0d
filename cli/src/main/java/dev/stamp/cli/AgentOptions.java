package dev.stamp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampRoot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --agent URL --agent-token-file FILE}: the agent {@code stamp up|down} talk to; by default
 * the one {@code stamp agent} runs on this state root (it writes {@code ROOT/agent/api.json}).
 */
final class AgentOptions {

  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** What {@code stamp agent} records when it serves (atomically). */
  static void write(StampRoot root, URI api, Path tokenFile) throws IOException {
    Path file = file(root);
    Map<String, String> m = new LinkedHashMap<>();
    m.put("url", api.toString());
    m.put("tokenFile", tokenFile.toAbsolutePath().toString());
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), "api", ".tmp");
    Files.write(tmp, JSON.writeValueAsBytes(m));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  AgentClient client(StampRoot root) throws ControllerException {
    String u = url;
    Path t = tokenFile;
    if (u == null) {
      Path file = file(root);
      if (!Files.exists(file)) {
        throw ControllerException.notFound(
            "no agent on state root "
                + root.path()
                + ": start one (stamp agent --token-file FILE) or pass --agent URL");
      }
      try {
        JsonNode n = JSON.readTree(file.toFile());
        u = n.path("url").asText();
        if (t == null) {
          t = Path.of(n.path("tokenFile").asText());
        }
      } catch (IOException e) {
        throw ControllerException.failed("read " + file + ": " + e.getMessage(), e);
      }
    }
    if (t == null) {
      throw ControllerException.badInput("--agent-token-file: the agent's API needs its token");
    }
    String token;
    try {
      token = Files.readString(t).strip();
    } catch (IOException e) {
      throw ControllerException.badInput("--agent-token-file " + t + ": " + e.getMessage());
    }
    AgentClient client = new AgentClient(URI.create(u), token);
    if (!client.healthy()) {
      throw ControllerException.unavailable(
          "agent " + u + ": not answering (is stamp agent running?)", null);
    }
    return client;
  }
}
